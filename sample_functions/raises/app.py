"""Always fails: shows Lambda's error payload, X-Amz-Function-Error and the logged traceback."""


class PaymentDeclined(Exception):
    pass


def handler(event, context):
    raise PaymentDeclined(f"card {event.get('card', '4242')} was declined")
