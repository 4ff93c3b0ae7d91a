# frozen_string_literal: true

require 'logger'

module LambdaHostRuntime
  # The context object handed to every invocation, with the fields AWS's Ruby runtime has.
  class LambdaContext
    attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
                :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms, :logger

    def initialize(headers)
      @aws_request_id = headers['lambda-runtime-aws-request-id']
      @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
      @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
      @identity = parse(headers['lambda-runtime-cognito-identity'])
      @client_context = parse(headers['lambda-runtime-client-context'])
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
      @logger = LambdaContext.logger_for(@aws_request_id)
    end

    def get_remaining_time_in_millis # rubocop:disable Naming/AccessorMethodName -- AWS's name
      [@deadline_ms - (Time.now.to_f * 1000).to_i, 0].max
    end

    def self.logger_for(request_id)
      logger = Logger.new($stdout)
      logger.formatter = proc do |severity, time, _progname, message|
        "#{time.utc.iso8601(3)} #{request_id} #{severity} #{message}\n"
      end
      logger
    end

    private

    def parse(text)
      text.nil? || text.empty? ? nil : JSON.parse(text)
    end
  end
end
