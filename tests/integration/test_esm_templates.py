"""Templates: queues, streams, tables and topics created on the endpoint at deploy, SAM Events and
AWS::Lambda::EventSourceMapping deployed as mappings, idempotently across restarts."""

import json

from host.testing.plugin import _start_host, client_for
from tests.integration.esm_support import REPORTING, aws, messages, queue_empty, unique, wait_until
from tests.integration.recorder import Recorder
from tests.integration.test_cli import TEMPLATE

TEMPLATE_TEXT = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Dead:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: {prefix}-dead
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: {prefix}-work
      VisibilityTimeout: 3
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 2
  Changes:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: {prefix}-changes
      ShardCount: 1
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: {prefix}-alerts
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: {prefix}-worker
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
          RECORDER: {recorder}
          MODE: report
          QUEUE_URL: !GetAtt Work.QueueUrl
          TOPIC: !Ref Alerts
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Work.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Api:
          Type: Api
          Properties:
            Path: /
            Method: get
  StreamMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Changes.Arn
      StartingPosition: TRIM_HORIZON
      MaximumRetryAttempts: 1
"""


def test_a_template_makes_its_queues_and_mappings_and_a_restart_changes_nothing(
    tmp_path, lambda_host_run_id, lambda_host
):
    recorder = Recorder()
    prefix = unique("tpl")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(REPORTING)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE_TEXT.format(prefix=prefix, recorder=recorder.url(lambda_host)))
    state = tmp_path / "state"
    host = _start_host(state, lambda_host_run_id, template=template)
    try:
        client = client_for(host)
        mappings = client.list_event_source_mappings(FunctionName=f"{prefix}-worker")["EventSourceMappings"]
        assert sorted(m["EventSourceArn"].split(":")[2] for m in mappings) == ["kinesis", "sqs"]
        variables = client.get_function_configuration(FunctionName=f"{prefix}-worker")["Environment"]["Variables"]
        assert variables["QUEUE_URL"] == f"{host.endpoint}/123456789012/{prefix}-work"
        assert variables["TOPIC"] == f"arn:aws:sns:us-east-1:123456789012:{prefix}-alerts"
        sqs = aws(host, "sqs")
        sqs.send_message(QueueUrl=variables["QUEUE_URL"], MessageBody="ok")
        sqs.send_message(QueueUrl=variables["QUEUE_URL"], MessageBody="fail")
        [dead] = messages(host, f"{host.endpoint}/123456789012/{prefix}-dead", 1, timeout=40)
        assert dead["Body"] == "fail"
        wait_until(lambda: queue_empty(host, variables["QUEUE_URL"]))
        aws(host, "kinesis").put_record(StreamName=f"{prefix}-changes", PartitionKey="k", Data=b'{"n": 1}')
        wait_until(lambda: any("kinesis" in c["records"][0] for c in recorder.calls))
    finally:
        host.stop_thread()
    again = _start_host(state, lambda_host_run_id, template=template)
    try:
        client = client_for(again)
        after = client.list_event_source_mappings(FunctionName=f"{prefix}-worker")["EventSourceMappings"]
        assert sorted(m["UUID"] for m in after) == sorted(m["UUID"] for m in mappings)  # updated in place
        calls = len(recorder.calls)
        aws(again, "kinesis").put_record(StreamName=f"{prefix}-changes", PartitionKey="k", Data=b'{"n": 2}')
        wait_until(lambda: len(recorder.calls) > calls)
        kinesis_data = [r["kinesis"]["data"] for c in recorder.calls for r in c["records"] if "kinesis" in r]
        assert len(kinesis_data) == 2  # the first record was not delivered again
    finally:
        again.stop_thread()
        recorder.server.shutdown()


def test_the_sample_template_feeds_its_queue_and_table_functions(tmp_path, lambda_host_run_id):
    host = _start_host(tmp_path, lambda_host_run_id, template=TEMPLATE)
    try:
        client = client_for(host)
        by_function = {
            m["FunctionArn"].split(":")[6]: m for m in client.list_event_source_mappings()["EventSourceMappings"]
        }
        assert by_function["order-processor"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert by_function["table-changes"]["EventSourceArn"].split(":")[2] == "dynamodb"
        url = f"{host.endpoint}/123456789012/orders"
        aws(host, "sqs").send_message(QueueUrl=url, MessageBody=json.dumps({"order": 1}))
        wait_until(lambda: queue_empty(host, url))
    finally:
        host.stop_thread()
