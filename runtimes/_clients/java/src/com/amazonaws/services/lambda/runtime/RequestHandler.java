package com.amazonaws.services.lambda.runtime;

/** A handler taking an event deserialised to {@code I} and returning {@code O}, serialised as JSON. */
public interface RequestHandler<I, O> {
    O handleRequest(I input, Context context);
}
