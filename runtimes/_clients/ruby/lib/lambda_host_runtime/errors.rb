# frozen_string_literal: true

module LambdaHostRuntime
  # Error bodies as AWS's Ruby runtime sends and logs them.
  module Errors
    module_function

    def body(error, type)
      { errorMessage: error.message.to_s, errorType: type, stackTrace: Array(error.backtrace) }
    end

    # A handler that cannot load: its file is missing (Init<LoadError>), its method is not there, or it raises.
    def init_type(error)
      error.is_a?(HandlerError) ? error.type : "Init<#{error.class}>"
    end

    def log(body, what)
      $stdout.puts("#{what}\n#{JSON.generate(body)}")
    end
  end

  # A handler string or its target that the runtime itself refuses.
  class HandlerError < StandardError
    attr_reader :type

    def initialize(type, message)
      super(message)
      @type = type
    end
  end
end
