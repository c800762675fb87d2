"""The conversation with citizens: intents, dialogue state, texts, and the WeChat API wrapper."""
