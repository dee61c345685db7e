select * from oidc_identities where identity = $identity;
