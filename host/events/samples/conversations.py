"""Voice, chat and identity: Alexa Skills Kit and Smart Home, Lex (V1 and V2), Cognito triggers."""

from __future__ import annotations

from host.events.registry import Values, template

ALEXA = dict(session_id="5d2a3b0c-7f1e", user_id="testUser", application_id="987654321", request_id="1234")


def _alexa(v: Values, request: dict, new_session: bool, attributes: dict | None = None) -> dict:
    application = f"amzn1.ask.skill.{v['application-id']}"
    user = f"amzn1.ask.account.{v['user-id']}"
    return {
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": f"amzn1.echo-api.session.{v['session-id']}",
            "application": {"applicationId": application},
            "attributes": attributes or {},
            "user": {"userId": user},
        },
        "context": {
            "System": {
                "application": {"applicationId": application},
                "user": {"userId": user},
                "device": {"deviceId": "amzn1.ask.device.example", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "requestId": f"amzn1.echo-api.request.{v['request-id']}",
            "timestamp": v.iso(millis=False),
            "locale": "en-US",
            **request,
        },
    }


def _intent(name: str, slots: dict[str, str] | None = None) -> dict:
    return {
        "type": "IntentRequest",
        "intent": {"name": name, "slots": {k: {"name": k, "value": value} for k, value in (slots or {}).items()}},
    }


@template("alexa-skills-kit", "start-session", "Alexa Skills Kit LaunchRequest starting a session", **ALEXA)
def alexa_start(v: Values) -> dict:
    return _alexa(v, {"type": "LaunchRequest"}, True)


@template("alexa-skills-kit", "end-session", "Alexa Skills Kit SessionEndedRequest", **ALEXA)
def alexa_end(v: Values) -> dict:
    return _alexa(v, {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}, False)


@template("alexa-skills-kit", "intent-answer", "Alexa Skills Kit intent with an answer slot", **ALEXA)
def alexa_answer(v: Values) -> dict:
    return _alexa(v, _intent("AnswerIntent", {"Answer": "2"}), False, {"currentQuestionIndex": 0})


@template("alexa-skills-kit", "intent-getnewfact", "Alexa Skills Kit GetNewFactIntent", **ALEXA)
def alexa_fact(v: Values) -> dict:
    return _alexa(v, _intent("GetNewFactIntent"), True)


@template("alexa-skills-kit", "intent-mycoloris", "Alexa Skills Kit MyColorIsIntent", color="blue", **ALEXA)
def alexa_color(v: Values) -> dict:
    return _alexa(v, _intent("MyColorIsIntent", {"Color": v["color"]}), False)


@template("alexa-skills-kit", "intent-recipe", "Alexa Skills Kit RecipeIntent", item="snow golem", **ALEXA)
def alexa_recipe(v: Values) -> dict:
    return _alexa(v, _intent("RecipeIntent", {"Item": v["item"]}), False)


def _smart_home(v: Values, namespace: str, name: str, endpoint: bool) -> dict:
    directive: dict = {
        "header": {
            "namespace": namespace,
            "name": name,
            "payloadVersion": "3",
            "messageId": v.id("message"),
            "correlationToken": v.b64(v.id("correlation")),
        },
        "payload": {},
    }
    if endpoint:
        directive["endpoint"] = {
            "scope": {"type": "BearerToken", "token": v["token"]},
            "endpointId": v["endpoint-id"],
            "cookie": {},
        }
    else:
        directive["header"].pop("correlationToken")
        directive["payload"] = {"scope": {"type": "BearerToken", "token": v["token"]}}
    return {"directive": directive}


SMART_HOME = dict(token="access-token-from-skill", endpoint_id="endpoint-001")


@template("alexa-smart-home", "smart-home-discovery-request", "Alexa Smart Home Discover directive (v3)", **SMART_HOME)
def smart_home_discover(v: Values) -> dict:
    return _smart_home(v, "Alexa.Discovery", "Discover", False)


@template(
    "alexa-smart-home", "smart-home-control-turn-on-request", "Alexa Smart Home TurnOn directive (v3)", **SMART_HOME
)
def smart_home_on(v: Values) -> dict:
    return _smart_home(v, "Alexa.PowerController", "TurnOn", True)


@template(
    "alexa-smart-home", "smart-home-control-turn-off-request", "Alexa Smart Home TurnOff directive (v3)", **SMART_HOME
)
def smart_home_off(v: Values) -> dict:
    return _smart_home(v, "Alexa.PowerController", "TurnOff", True)


def _lex(v: Values, bot: str, intent: str, slots: dict, transcript: str) -> dict:
    return {
        "messageVersion": "1.0",
        "invocationSource": v["invocation-source"],
        "userId": v["user-id"],
        "sessionAttributes": {},
        "requestAttributes": None,
        "bot": {"name": bot, "alias": "$LATEST", "version": "$LATEST"},
        "outputDialogMode": "Text",
        "currentIntent": {
            "name": intent,
            "slots": slots,
            "slotDetails": {k: {"resolutions": [], "originalValue": value} for k, value in slots.items()},
            "confirmationStatus": "None",
        },
        "inputTranscript": transcript,
    }


LEX = dict(user_id="John", invocation_source="DialogCodeHook")


@template("lex", "book-car", "Amazon Lex V1 BookCar intent (code hook)", pickup_city="Chicago", **LEX)
def lex_car(v: Values) -> dict:
    slots = {"PickUpCity": v["pickup-city"], "PickUpDate": None, "ReturnDate": None, "DriverAge": None, "CarType": None}
    return _lex(v, "BookTrip", "BookCar", slots, f"book a car in {v['pickup-city']}")


@template("lex", "book-hotel", "Amazon Lex V1 BookHotel intent (code hook)", location="Chicago", **LEX)
def lex_hotel(v: Values) -> dict:
    slots = {"Location": v["location"], "CheckInDate": None, "Nights": None, "RoomType": None}
    return _lex(v, "BookTrip", "BookHotel", slots, f"book a hotel in {v['location']}")


@template("lex", "make-appointment", "Amazon Lex V1 MakeAppointment intent (code hook)", kind="cleaning", **LEX)
def lex_appointment(v: Values) -> dict:
    slots = {"AppointmentType": v["kind"], "Date": None, "Time": None}
    return _lex(v, "MakeAppointment", "MakeAppointment", slots, f"I would like to book a {v['kind']}")


@template("lex", "order-flowers", "Amazon Lex V1 OrderFlowers intent (code hook)", flower="roses", **LEX)
def lex_flowers(v: Values) -> dict:
    slots = {"FlowerType": v["flower"], "PickupDate": None, "PickupTime": None}
    return _lex(v, "OrderFlowers", "OrderFlowers", slots, f"I would like to order some {v['flower']}")


def _lex_v2(v: Values, bot: str, intent: str, slots: dict[str, str | None], transcript: str) -> dict:
    def slot(value: str | None) -> dict | None:
        if value is None:
            return None
        return {
            "shape": "Scalar",
            "value": {"originalValue": value, "interpretedValue": value, "resolvedValues": [value]},
        }

    current = {"name": intent, "slots": {k: slot(x) for k, x in slots.items()}, "state": "InProgress"}
    current["confirmationState"] = "None"
    return {
        "messageVersion": "1.0",
        "invocationSource": v["invocation-source"],
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": v["session-id"],
        "inputTranscript": transcript,
        "bot": {
            "id": "BOTID12345",
            "name": bot,
            "aliasId": "TSTALIASID",
            "aliasName": "TestBotAlias",
            "localeId": "en_US",
            "version": "DRAFT",
        },
        "interpretations": [{"intent": current, "nluConfidence": 1.0}],
        "proposedNextState": None,
        "requestAttributes": {},
        "sessionState": {"sessionAttributes": {}, "intent": current, "originatingRequestId": v.id()},
    }


LEX_V2 = dict(session_id="a1b2c3d4e5f6", invocation_source="DialogCodeHook")


@template("lex-v2", "book-car", "Amazon Lex V2 BookCar intent (code hook)", pickup_city="Chicago", **LEX_V2)
def lex_v2_car(v: Values) -> dict:
    slots = {"PickUpCity": v["pickup-city"], "PickUpDate": None, "ReturnDate": None, "DriverAge": None}
    return _lex_v2(v, "BookTrip", "BookCar", slots, f"book a car in {v['pickup-city']}")


@template("lex-v2", "book-hotel", "Amazon Lex V2 BookHotel intent (code hook)", location="Chicago", **LEX_V2)
def lex_v2_hotel(v: Values) -> dict:
    slots = {"Location": v["location"], "CheckInDate": None, "Nights": None, "RoomType": None}
    return _lex_v2(v, "BookTrip", "BookHotel", slots, f"book a hotel in {v['location']}")


@template(
    "lex-v2", "banking-bot", "Amazon Lex V2 CheckBalance intent of a banking bot", account_type="Checking", **LEX_V2
)
def lex_v2_banking(v: Values) -> dict:
    slots = {"accountType": v["account-type"], "dateOfBirth": None}
    return _lex_v2(v, "BankingBot", "CheckBalance", slots, f"what is my {v['account-type'].lower()} balance")


COGNITO = dict(user_pool_id="", username="johndoe", email="johndoe@example.com", client_id="abcd1234")


def _cognito(v: Values, trigger: str, request: dict, response: dict) -> dict:
    return {
        "version": "1",
        "region": v.region,
        "userPoolId": v["user-pool-id"] or f"{v.region}_EXAMPLE",
        "userName": v["username"],
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": v["client-id"]},
        "triggerSource": trigger,
        "request": request,
        "response": response,
    }


def _attributes(v: Values) -> dict:
    return {"sub": v.id("sub"), "email_verified": "true", "cognito:user_status": "CONFIRMED", "email": v["email"]}


@template("cognito", "pre-signup", "Amazon Cognito user pool pre sign-up trigger", **COGNITO)
def cognito_pre_signup(v: Values) -> dict:
    request = {"userAttributes": {"email": v["email"]}, "validationData": None}
    return _cognito(v, "PreSignUp_SignUp", request, {"autoConfirmUser": False, "autoVerifyEmail": False})


@template("cognito", "post-confirmation", "Amazon Cognito user pool post confirmation trigger", **COGNITO)
def cognito_post_confirmation(v: Values) -> dict:
    return _cognito(v, "PostConfirmation_ConfirmSignUp", {"userAttributes": _attributes(v)}, {})


@template("cognito", "pre-authentication", "Amazon Cognito user pool pre authentication trigger", **COGNITO)
def cognito_pre_auth(v: Values) -> dict:
    request = {"userAttributes": _attributes(v), "validationData": None, "userNotFound": False}
    return _cognito(v, "PreAuthentication_Authentication", request, {})


@template("cognito", "post-authentication", "Amazon Cognito user pool post authentication trigger", **COGNITO)
def cognito_post_auth(v: Values) -> dict:
    request = {"userAttributes": _attributes(v), "newDeviceUsed": False}
    return _cognito(v, "PostAuthentication_Authentication", request, {})


@template("cognito", "pre-token-generation", "Amazon Cognito user pool pre token generation trigger", **COGNITO)
def cognito_pre_token(v: Values) -> dict:
    request = {
        "userAttributes": _attributes(v),
        "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
    }
    return _cognito(v, "TokenGeneration_Authentication", request, {"claimsOverrideDetails": None})


@template("cognito", "custom-message", "Amazon Cognito user pool custom message trigger", code="{####}", **COGNITO)
def cognito_custom_message(v: Values) -> dict:
    request = {"userAttributes": _attributes(v), "codeParameter": v["code"], "usernameParameter": None}
    response = {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    return _cognito(v, "CustomMessage_SignUp", request, response)


@template("cognito", "define-auth-challenge", "Amazon Cognito define auth challenge trigger", **COGNITO)
def cognito_define(v: Values) -> dict:
    request = {"userAttributes": _attributes(v), "session": [], "userNotFound": False}
    response = {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    return _cognito(v, "DefineAuthChallenge_Authentication", request, response)


@template("cognito", "create-auth-challenge", "Amazon Cognito create auth challenge trigger", **COGNITO)
def cognito_create(v: Values) -> dict:
    request = {"userAttributes": _attributes(v), "challengeName": "CUSTOM_CHALLENGE", "session": []}
    response = {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None}
    return _cognito(v, "CreateAuthChallenge_Authentication", request, response)


@template(
    "cognito", "verify-auth-challenge-response", "Amazon Cognito verify auth challenge response trigger", **COGNITO
)
def cognito_verify(v: Values) -> dict:
    request = {
        "userAttributes": _attributes(v),
        "privateChallengeParameters": {"answer": "5"},
        "challengeAnswer": "5",
        "userNotFound": False,
    }
    return _cognito(v, "VerifyAuthChallengeResponse_Authentication", request, {"answerCorrect": None})


@template("cognito", "user-migration", "Amazon Cognito user migration trigger", password="Passw0rd!", **COGNITO)
def cognito_migration(v: Values) -> dict:
    request = {"password": v["password"], "validationData": None, "userAttributes": None}
    response = {"userAttributes": None, "finalUserStatus": None, "messageAction": None}
    return _cognito(v, "UserMigration_Authentication", request, response)


@template("cognito", "sync-trigger", "Amazon Cognito Sync trigger", identity_pool_id="", dataset="SampleDataset")
def cognito_sync(v: Values) -> dict:
    return {
        "version": 2,
        "eventType": "SyncTrigger",
        "region": v.region,
        "identityPoolId": v["identity-pool-id"] or f"{v.region}:{v.id('pool')}",
        "identityId": f"{v.region}:{v.id('identity')}",
        "datasetName": v["dataset"],
        "datasetRecords": {"SampleKey1": {"oldValue": "oldValue1", "newValue": "newValue1", "op": "replace"}},
    }
