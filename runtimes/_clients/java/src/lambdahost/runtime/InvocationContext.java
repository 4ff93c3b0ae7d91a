package lambdahost.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;

/** The Context of one invocation, from its Runtime API headers and the environment. */
final class InvocationContext implements Context {
    private final String requestId;
    private final String arn;
    private final long deadlineMs;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;

    InvocationContext(RapidClient.Invocation invocation, CognitoIdentity identity, ClientContext clientContext) {
        this.requestId = invocation.header("Lambda-Runtime-Aws-Request-Id");
        this.arn = invocation.header("Lambda-Runtime-Invoked-Function-Arn");
        String deadline = invocation.header("Lambda-Runtime-Deadline-Ms");
        this.deadlineMs = deadline == null ? 0 : Long.parseLong(deadline);
        this.identity = identity;
        this.clientContext = clientContext;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
    }

    @Override
    public String getLogStreamName() {
        return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
    }

    @Override
    public String getFunctionName() {
        return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    }

    @Override
    public String getFunctionVersion() {
        return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
    }

    @Override
    public String getInvokedFunctionArn() {
        return arn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return identity;
    }

    @Override
    public ClientContext getClientContext() {
        return clientContext;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineMs - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        String memory = System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        return memory == null ? 128 : Integer.parseInt(memory);
    }

    @Override
    public LambdaLogger getLogger() {
        return LambdaRuntime.getLogger();
    }
}
