# frozen_string_literal: true

# lambda-host's Ruby runtime client: loads the handler named in _HANDLER from the task
# root and serves invocations from the Runtime API, as AWS's Ruby runtime does.
#
# Contract:
# 1. The handler is "file.method" or "file.Module::Class.method"; the file is required from
#    LAMBDA_TASK_ROOT, the method is called as handler(event:, context:).
# 2. The result is sent as JSON; an exception becomes {errorMessage, errorType, stackTrace}
#    with errorType "Function<Class>" (raised by the handler) or "Init<Class>" (at load).
# 3. It never exits between invocations; a failure to load is reported on /init/error.

require 'json'
require 'net/http'
require 'time'
require_relative 'lambda_host_runtime/context'
require_relative 'lambda_host_runtime/rapid_client'
require_relative 'lambda_host_runtime/handler'
require_relative 'lambda_host_runtime/errors'

$stdout.sync = true
$stderr.sync = true

module LambdaHostRuntime
  def self.run
    rapid = RapidClient.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    begin
      handler = Handler.load(ENV.fetch('LAMBDA_TASK_ROOT', '/var/task'), ENV.fetch('_HANDLER', ''))
    rescue Exception => e # rubocop:disable Lint/RescueException -- a handler's load error of any kind is reported
      body = Errors.body(e, Errors.init_type(e))
      Errors.log(body, 'Init error when loading handler')
      rapid.init_error(body)
      exit!(1)
    end
    loop do
      request_id, headers, event = rapid.next_invocation
      context = LambdaContext.new(headers)
      ENV['_X_AMZN_TRACE_ID'] = headers['lambda-runtime-trace-id'] if headers['lambda-runtime-trace-id']
      begin
        result = handler.call(event, context)
        rapid.response(request_id, JSON.generate(result))
      rescue Exception => e # rubocop:disable Lint/RescueException -- every raise is the function's error
        body = Errors.body(e, "Function<#{e.class}>")
        Errors.log(body, 'Error raised from handler method')
        rapid.error(request_id, body)
      end
    end
  end
end

LambdaHostRuntime.run if $PROGRAM_NAME == __FILE__
