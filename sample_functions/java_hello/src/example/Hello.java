package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Java sample, compiled against AWS's com.amazonaws.services.lambda.runtime interfaces. */
public class Hello implements RequestHandler<Hello.Order, Hello.Receipt> {
    /** The event, read from JSON into fields. */
    public static class Order {
        public String customer;
        public List<Line> lines;
    }

    public static class Line {
        public String item;
        public int qty;
        public double price;
    }

    /** The result, written as JSON. */
    public static class Receipt {
        public String customer;
        public double total;
        public String requestId;
    }

    @Override
    public Receipt handleRequest(Order order, Context context) {
        context.getLogger().log("order from " + order.customer + "\n");
        Receipt receipt = new Receipt();
        receipt.customer = order.customer;
        receipt.total = order.lines.stream().mapToDouble(line -> line.qty * line.price).sum();
        receipt.requestId = context.getAwsRequestId();
        return receipt;
    }

    /** A Map event and the context's fields. */
    public Map<String, Object> describe(Map<String, Object> event, Context context) {
        System.out.println("describing " + event.keySet());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", event);
        out.put("functionName", context.getFunctionName());
        out.put("functionVersion", context.getFunctionVersion());
        out.put("memory", context.getMemoryLimitInMB());
        out.put("arn", context.getInvokedFunctionArn());
        out.put("requestId", context.getAwsRequestId());
        out.put("remaining", context.getRemainingTimeInMillis());
        out.put("logGroup", context.getLogGroupName());
        out.put("java", System.getProperty("java.specification.version"));
        out.put("env", System.getenv("AWS_EXECUTION_ENV"));
        return out;
    }

    /** A String event. */
    public static String shout(String text) {
        return text.toUpperCase();
    }

    /** A failure, with a cause. */
    public String fail(Map<String, Object> event, Context context) {
        throw new IllegalStateException("no " + event.get("item") + " left", new ArithmeticException("stock below zero"));
    }

    /** Runs past its timeout. */
    public String sleepy(Map<String, Object> event) throws InterruptedException {
        Thread.sleep(5000);
        return "late";
    }

    /** A stream handler: the raw bytes reversed. */
    public static class Reverse implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            LambdaLogger logger = context.getLogger();
            logger.log("reversing " + text.length() + " bytes\n");
            output.write(("\"" + new StringBuilder(text.replace("\"", "")).reverse() + "\"").getBytes(StandardCharsets.UTF_8));
        }
    }
}
