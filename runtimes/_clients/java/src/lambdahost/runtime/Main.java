package lambdahost.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * lambda-host's Java runtime: loads the handler named by _HANDLER and serves invocations.
 *
 * <ol>
 *   <li>A handler that cannot load is reported on /init/error and the process exits;
 *   <li>each invocation's result is its JSON (or a stream handler's bytes); a throwable is its
 *       error body (see {@link Errors}), logged with its stack trace;
 *   <li>the process serves invocations until the environment ends it.
 * </ol>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        RapidClient rapid = new RapidClient(System.getenv("AWS_LAMBDA_RUNTIME_API"));
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        String taskRoot = System.getenv().getOrDefault("LAMBDA_TASK_ROOT", "/var/task");
        HandlerLoader.Invoker invoker;
        try {
            ClassLoader loader = HandlerLoader.taskClassLoader(taskRoot);
            Thread.currentThread().setContextClassLoader(loader);
            invoker = HandlerLoader.load(System.getenv().getOrDefault("_HANDLER", ""), loader, mapper);
        } catch (Throwable error) {
            Throwable cause = Errors.unwrap(error);
            report(cause);
            rapid.initError(cause.getClass().getName(), mapper.writeValueAsBytes(Errors.body(mapper, cause)));
            System.exit(1);
            return;
        }
        while (true) {
            RapidClient.Invocation invocation = rapid.next();
            String requestId = invocation.header("Lambda-Runtime-Aws-Request-Id");
            InvocationContext context = new InvocationContext(invocation,
                    identity(mapper, invocation.header("Lambda-Runtime-Cognito-Identity")),
                    clientContext(mapper, invocation.header("Lambda-Runtime-Client-Context")));
            byte[] response;
            try {
                response = invoker.invoke(invocation.event, context);
            } catch (Throwable error) {
                Throwable cause = Errors.unwrap(error);
                report(cause);
                rapid.fail(requestId, cause.getClass().getName(), mapper.writeValueAsBytes(Errors.body(mapper, cause)));
                continue;
            }
            rapid.respond(requestId, response);
        }
    }

    private static void report(Throwable error) {
        error.printStackTrace(System.out);
        System.out.flush();
    }

    private static CognitoIdentity identity(ObjectMapper mapper, String header) throws Exception {
        if (header == null || header.isEmpty()) {
            return null;
        }
        JsonNode node = mapper.readTree(header);
        String id = node.path("cognitoIdentityId").asText(null);
        String pool = node.path("cognitoIdentityPoolId").asText(null);
        return new CognitoIdentity() {
            @Override
            public String getIdentityId() {
                return id;
            }

            @Override
            public String getIdentityPoolId() {
                return pool;
            }
        };
    }

    private static ClientContext clientContext(ObjectMapper mapper, String header) throws Exception {
        if (header == null || header.isEmpty()) {
            return null;
        }
        JsonNode node = mapper.readTree(header);
        JsonNode client = node.path("client");
        Map<String, String> custom = strings(node.path("custom"));
        Map<String, String> env = strings(node.path("env"));
        Client app = new Client() {
            @Override
            public String getInstallationId() {
                return client.path("installation_id").asText(null);
            }

            @Override
            public String getAppTitle() {
                return client.path("app_title").asText(null);
            }

            @Override
            public String getAppVersionName() {
                return client.path("app_version_name").asText(null);
            }

            @Override
            public String getAppVersionCode() {
                return client.path("app_version_code").asText(null);
            }

            @Override
            public String getAppPackageName() {
                return client.path("app_package_name").asText(null);
            }
        };
        return new ClientContext() {
            @Override
            public Client getClient() {
                return app;
            }

            @Override
            public Map<String, String> getCustom() {
                return custom;
            }

            @Override
            public Map<String, String> getEnvironment() {
                return env;
            }
        };
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
        return map;
    }
}
