package com.amazonaws.services.lambda.runtime;

/** The mobile client application that called, when one did. */
public interface Client {
    String getInstallationId();

    String getAppTitle();

    String getAppVersionName();

    String getAppVersionCode();

    String getAppPackageName();
}
