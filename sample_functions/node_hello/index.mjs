// A Node.js handler: async, returns an API Gateway-style response.
export const handler = async (event, context) => {
  console.log('node_hello invoked', JSON.stringify(event));
  return {
    statusCode: 200,
    body: JSON.stringify({ hello: event.name ?? 'world', node: process.version, requestId: context.awsRequestId }),
  };
};
