"""What a signed-in policyholder sees on the web: their own policies, billing, claims, documents.

``overview.load_overview`` reads everything for one holder id through the PAS connector;
``overview.owned_policy`` is the ownership check every action on a policy goes through.
"""
