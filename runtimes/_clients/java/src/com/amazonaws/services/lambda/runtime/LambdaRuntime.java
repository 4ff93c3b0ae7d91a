package com.amazonaws.services.lambda.runtime;

/** The function's logger outside an invocation's context. */
public final class LambdaRuntime {
    private static volatile LambdaLogger logger = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.print(message);
            System.out.flush();
        }

        @Override
        public void log(byte[] message) {
            System.out.write(message, 0, message.length);
            System.out.flush();
        }
    };

    private LambdaRuntime() {}

    public static LambdaLogger getLogger() {
        return logger;
    }
}
