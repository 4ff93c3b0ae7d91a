package lambdahost.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The function's handler, found as AWS's Java runtime finds it.
 *
 * <ol>
 *   <li>{@code pkg.Class} names a class implementing RequestHandler or RequestStreamHandler;
 *   <li>{@code pkg.Class::method} names a public method taking (InputStream, OutputStream[, Context]),
 *       or (event[, Context]), or nothing; an instance method's class needs a no-argument constructor;
 *   <li>classes load from the task root, then {@code /var/task/lib/*.jar}, then {@code /opt/java/lib/*.jar};
 *   <li>events are read, and results written, by Jackson as the parameter's and return's declared types.
 * </ol>
 */
final class HandlerLoader {
    /** One loaded handler: the event's bytes in, the response's bytes out. */
    interface Invoker {
        byte[] invoke(byte[] event, Context context) throws Throwable;
    }

    private HandlerLoader() {}

    static ClassLoader taskClassLoader(String taskRoot) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(new File(taskRoot).toURI().toURL());
        for (String folder : new String[] {taskRoot + "/lib", "/opt/java/lib"}) {
            File[] jars = new File(folder).listFiles((dir, name) -> name.endsWith(".jar"));
            if (jars != null) {
                Arrays.sort(jars);
                for (File jar : jars) {
                    urls.add(jar.toURI().toURL());
                }
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), HandlerLoader.class.getClassLoader());
    }

    static Invoker load(String spec, ClassLoader loader, ObjectMapper mapper) throws Throwable {
        String className = spec;
        String methodName = null;
        int colons = spec.indexOf("::");
        if (colons >= 0) {
            className = spec.substring(0, colons);
            methodName = spec.substring(colons + 2);
        }
        Class<?> cls = Class.forName(className, true, loader);
        if (methodName == null) {
            Object target = cls.getDeclaredConstructor().newInstance();
            if (target instanceof RequestStreamHandler stream) {
                return (event, context) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    stream.handleRequest(new ByteArrayInputStream(event), out, context);
                    return out.toByteArray();
                };
            }
            if (!(target instanceof RequestHandler)) {
                throw new ClassCastException("Class '" + className
                        + "' does not implement RequestHandler or RequestStreamHandler");
            }
            return bind(pick(cls, "handleRequest"), target, mapper);
        }
        Method method = pick(cls, methodName);
        Object target = Modifier.isStatic(method.getModifiers()) ? null : cls.getDeclaredConstructor().newInstance();
        return bind(method, target, mapper);
    }

    /** The public method of that name with the most specific signature (bridge methods last). */
    private static Method pick(Class<?> cls, String name) throws NoSuchMethodException {
        Method best = null;
        for (Method method : cls.getMethods()) {
            if (!method.getName().equals(name) || method.getParameterCount() > 3) {
                continue;
            }
            if (best == null || (best.isBridge() && !method.isBridge())
                    || (best.isBridge() == method.isBridge() && method.getParameterCount() > best.getParameterCount())) {
                best = method;
            }
        }
        if (best == null) {
            throw new NoSuchMethodException("No public method named " + name + " with appropriate method signature found on class " + cls.getName());
        }
        return best;
    }

    private static Invoker bind(Method method, Object target, ObjectMapper mapper) {
        method.setAccessible(true);
        Class<?>[] params = method.getParameterTypes();
        boolean returnsNothing = method.getReturnType() == void.class;
        if (params.length >= 2 && params[0] == InputStream.class && params[1] == OutputStream.class) {
            boolean withContext = params.length == 3;
            return (event, context) -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                InputStream in = new ByteArrayInputStream(event);
                method.invoke(target, withContext ? new Object[] {in, out, context} : new Object[] {in, out});
                return out.toByteArray();
            };
        }
        Type[] generic = method.getGenericParameterTypes();
        JavaType eventType = params.length == 0 ? null : mapper.getTypeFactory().constructType(generic[0]);
        boolean withContext = params.length == 2;
        return (event, context) -> {
            Object[] args;
            if (eventType == null) {
                args = new Object[0];
            } else {
                Object input = eventType.getRawClass() == InputStream.class
                        ? new ByteArrayInputStream(event)
                        : mapper.readValue(event, eventType);
                args = withContext ? new Object[] {input, context} : new Object[] {input};
            }
            Object result = method.invoke(target, args);
            return returnsNothing ? RapidClient.utf8("null") : mapper.writeValueAsBytes(result);
        };
    }
}
