"""季度简报: a quarter's briefing for a leadership meeting. gather reads what it is made of from the
warehouse; summary states only what those rows hold; images draws its charts; compose builds the
document model (model) that docx and pdf typeset; output writes it as a file.

Everything in it comes from the warehouse, and it says a thing only where the data hold it. The
package imports nothing itself, so that `metrics brief`'s parser needs only model.FORMATS."""
