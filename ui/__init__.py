"""Streamlit helpers shared by app.py and the pages: sign-in state, caches, common widgets."""
