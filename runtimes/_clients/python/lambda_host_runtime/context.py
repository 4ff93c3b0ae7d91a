"""The context object handed to a Python handler, with the attributes AWS's client gives it."""

import os
import sys
import time


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self):
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    __slots__ = ("app_package_name", "app_title", "app_version_code", "app_version_name", "installation_id")

    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")

    def __repr__(self):
        return (
            f"Client([installation_id={self.installation_id},app_title={self.app_title},app_version_name={self.app_version_name},app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}])"
        )


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, data):
        client = data.get("client")
        self.client = Client(client) if client else None
        self.custom = data.get("custom")
        self.env = data.get("env")

    def __repr__(self):
        return f"ClientContext([client={self.client},custom={self.custom},env={self.env}])"


class LambdaContext:
    """What ``context`` is inside a handler: invocation facts plus the function's settings."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context, identity, tenant_id=None):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - round(time.time() * 1000), 0)

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )
