"""lambda-host's Python runtime client: speaks the Lambda Runtime API as AWS's client does."""
