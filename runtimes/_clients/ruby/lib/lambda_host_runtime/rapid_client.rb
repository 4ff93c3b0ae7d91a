# frozen_string_literal: true

module LambdaHostRuntime
  # The Runtime API over one kept-alive HTTP connection.
  class RapidClient
    BASE = '/2018-06-01/runtime'

    def initialize(address)
      host, port = address.split(':')
      @http = Net::HTTP.new(host, Integer(port || 80))
      @http.keep_alive_timeout = 3600
      @http.read_timeout = nil
      @http.start
    end

    # [request id, lower-cased headers, parsed event]
    def next_invocation
      response = @http.request(Net::HTTP::Get.new("#{BASE}/invocation/next"))
      headers = response.to_hash.transform_values(&:first)
      [headers['lambda-runtime-aws-request-id'], headers, JSON.parse(response.body.to_s, quirks_mode: true)]
    end

    def response(request_id, payload)
      post("#{BASE}/invocation/#{request_id}/response", payload)
    end

    def error(request_id, body)
      post("#{BASE}/invocation/#{request_id}/error", JSON.generate(body), body[:errorType])
    end

    def init_error(body)
      post("#{BASE}/init/error", JSON.generate(body), body[:errorType])
    end

    private

    def post(path, payload, error_type = nil)
      request = Net::HTTP::Post.new(path, 'Content-Type' => 'application/json')
      request['Lambda-Runtime-Function-Error-Type'] = error_type if error_type
      request.body = payload
      @http.request(request)
    end
  end
end
