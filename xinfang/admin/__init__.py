"""The staff side: accounts, the panel and the staff API."""
