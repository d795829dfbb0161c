"""The review desk (审核台): `bulletin serve`, a small Chinese web app to look at the bulletin and decide on it."""
