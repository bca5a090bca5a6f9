"""Events: every change told in its own transaction (the outbox), and the feed that shows them in order."""
