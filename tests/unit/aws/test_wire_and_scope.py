"""The lean client's SigV4 signature equals botocore's; the relay reads a request's service."""

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from host.aws import wire
from host.aws.forward import credential_scope


def test_the_signature_is_botocores(monkeypatch):
    monkeypatch.setattr(wire.time, "gmtime", lambda *a: wire.time.struct_time((2025, 1, 2, 3, 4, 5, 3, 2, 0)))
    body = b'{"QueueUrl": "u"}'
    ours = wire._Signer("AKID", "SECRET", None, "us-east-1", "sqs").headers(
        "127.0.0.1:5000", "AmazonSQS.ReceiveMessage", "application/x-amz-json-1.0", body
    )
    request = AWSRequest(
        "POST", "http://127.0.0.1:5000/", data=body,
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ReceiveMessage",
                 "X-Amz-Date": "20250102T030405Z"},
    )  # fmt: skip

    class Fixed(SigV4Auth):
        def _modify_request_before_signing(self, request):
            request.headers["host"] = "127.0.0.1:5000"

        def add_auth(self, request):
            request.context["timestamp"] = "20250102T030405Z"
            self._modify_request_before_signing(request)
            canonical = self.canonical_request(request)
            signature = self.signature(self.string_to_sign(request, canonical), request)
            self._inject_signature_to_request(request, signature)

    Fixed(Credentials("AKID", "SECRET"), "sqs", "us-east-1").add_auth(request)
    assert ours["Authorization"] == request.headers["Authorization"]


def test_the_credential_scope_names_the_service():
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"
    assert credential_scope({"authorization": auth}, "") == ("us-east-1", "sqs")
    presigned = "X-Amz-Credential=AKID%2F20250101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=1"
    assert credential_scope({}, presigned) == ("eu-west-1", "s3")
    assert credential_scope({}, "") is None
