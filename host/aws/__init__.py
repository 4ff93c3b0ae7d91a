"""The host's one AWS endpoint, shared by every capability that talks to another AWS service.

``endpoint.AwsEndpoint`` starts (or names) the endpoint and builds boto3 clients for it;
``wire`` is a lean JSON-protocol client for hot polling loops; ``forward`` relays requests
that arrive on the Lambda port for other services; ``json_protocol`` reads the JSON-protocol
requests of the services the host answers itself. Nothing here knows about Lambda.
"""
