"""Who someone is and what they may do: accounts, sign-in (passwords, magic links, MFA, API keys, browser sessions), consents, organisations, memberships and roles."""
