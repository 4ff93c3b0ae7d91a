package com.amazonaws.services.lambda.runtime;

/** The Amazon Cognito identity that called, when one did. */
public interface CognitoIdentity {
    String getIdentityId();

    String getIdentityPoolId();
}
