package lambdahost.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Error bodies as AWS's Java runtime writes them.
 *
 * <ol>
 *   <li>{@code errorMessage}: the throwable's message (absent when it has none);
 *   <li>{@code errorType}: its class's binary name, e.g. {@code java.lang.IllegalStateException};
 *   <li>{@code stackTrace}: one string per frame, as {@code StackTraceElement.toString} writes it;
 *   <li>{@code cause}: the same shape for the cause, when there is one.
 * </ol>
 */
final class Errors {
    private Errors() {}

    static ObjectNode body(ObjectMapper mapper, Throwable error) {
        ObjectNode node = mapper.createObjectNode();
        if (error.getMessage() != null) {
            node.put("errorMessage", error.getMessage());
        }
        node.put("errorType", error.getClass().getName());
        ArrayNode trace = node.putArray("stackTrace");
        for (StackTraceElement frame : error.getStackTrace()) {
            if (frame.getClassName().startsWith("lambdahost.runtime.")
                    || frame.getClassName().startsWith("java.lang.reflect.")
                    || frame.getClassName().startsWith("jdk.internal.reflect.")) {
                continue; // the runtime's own frames, as AWS's runtime leaves its out
            }
            trace.add(frame.toString());
        }
        Throwable cause = error.getCause();
        if (cause != null && cause != error) {
            node.set("cause", body(mapper, cause));
        }
        return node;
    }

    /** The throwable the user's code raised, unwrapped from reflection's wrappers. */
    static Throwable unwrap(Throwable error) {
        while (error instanceof java.lang.reflect.InvocationTargetException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
