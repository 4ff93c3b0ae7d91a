# frozen_string_literal: true

module LambdaHostRuntime
  # The function's handler: "file.method" or "file.Module::Class.method".
  class Handler
    def self.load(task_root, spec)
      file, target = spec.split('.', 2)
      if file.to_s.empty? || target.to_s.empty?
        raise HandlerError.new('Init<ArgumentError>', "Handler '#{spec}' is not of the form file.method")
      end

      require File.join(task_root, file)
      owner_name, _, method = target.rpartition('.')
      owner = owner_name.empty? ? Object : Object.const_get(owner_name)
      callable = owner_name.empty? ? Object.new.method(method) : owner.method(method)
      new(callable)
    rescue NameError => e
      raise HandlerError.new('Init<NameError>', e.message)
    end

    def initialize(callable)
      @callable = callable
    end

    def call(event, context)
      @callable.call(event: event, context: context)
    end
  end
end
