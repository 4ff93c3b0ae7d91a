package lambdahost.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Map;

/** Run once at image build to record the classes an invocation loads into a class-data archive. */
final class Warmup {
    private Warmup() {}

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Map<?, ?> event = mapper.readValue("{\"a\": [1, \"b\", {\"c\": null}]}".getBytes(), Map.class);
        mapper.writeValueAsBytes(event);
        mapper.readTree("{\"cognitoIdentityId\": \"x\"}");
        Errors.body(mapper, new IllegalStateException("warm"));
        ((HttpURLConnection) new URL("http://127.0.0.1:1/").openConnection()).setRequestMethod("POST");
        HandlerLoader.taskClassLoader("/var/task");
    }
}
