"""Web chat (placeholder until the web chat is built): `python app.py`."""
print("The web chat is not built yet; use `qa ask \"问题\"`.")
