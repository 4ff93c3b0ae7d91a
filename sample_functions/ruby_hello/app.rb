# frozen_string_literal: true

# A Ruby sample: greets by name, and shows the context AWS's Ruby runtime hands over.
module Greeting
  class Handler
    def self.process(event:, context:)
      context.logger.info("greeting #{event['name']}")
      { greeting: "Hello, #{event.fetch('name', 'world')}!", ruby: RUBY_VERSION,
        function: context.function_name, request_id: context.aws_request_id }
    end
  end
end
