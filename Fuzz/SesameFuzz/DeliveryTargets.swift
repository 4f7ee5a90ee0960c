import SesameCore
import SesameDelivery

/// What a mail server or an SMS provider answers. Providers' bodies are drained and never read; their statuses are.
let deliveryTargets: [FuzzTarget] = [
    FuzzTarget(name: "smtp-reply") { bytes in
        var parser = SMTPReply.Parser()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let reply = try? parser.consume(String(line)) else { continue }
            require((200...599).contains(reply.code), "a reply code is from 200 to 599")
            _ = reply.extensions
        }
    },
    FuzzTarget(name: "provider-status") { bytes in
        let status = bytes.prefix(2).reduce(0) { $0 << 8 | Int($1) }
        let error = DeliveryError.httpStatus(status, from: "the fuzzed provider")
        require(error.isTransient == (status == 408 || status == 429 || status >= 500), "only 408, 429 and 5xx are retried")
    },
]
