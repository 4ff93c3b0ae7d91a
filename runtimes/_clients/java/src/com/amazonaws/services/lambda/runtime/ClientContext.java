package com.amazonaws.services.lambda.runtime;

import java.util.Map;

/** The client context the caller passed (Invoke's ClientContext). */
public interface ClientContext {
    Client getClient();

    Map<String, String> getCustom();

    Map<String, String> getEnvironment();
}
