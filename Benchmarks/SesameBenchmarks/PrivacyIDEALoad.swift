import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// privacyIDEA's flows over its API, as a service that checks codes would call it (scripts/privacyidea sets it up):
/// `POST /validate/check` with the user's PIN triggers an SMS challenge, and with the challenge's `transaction_id`
/// and the code checks it. Each worker has users of its own, so no user has two challenges at once.
struct PrivacyIDEALoad {
    let client: HTTPClient
    let url: String
    let realm: String
    let users: [(name: String, phone: String)]
    let pin: String
    let inbox: CodeInbox

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// The `KEY=value` lines scripts/privacyidea writes.
    static func environment(_ file: String) throws -> [String: String] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").reduce(into: [:]) { values, line in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
    }

    init(client: HTTPClient, environment: [String: String], inbox: CodeInbox) throws {
        guard let url = environment["PRIVACYIDEA_URL"], let realm = environment["PRIVACYIDEA_REALM"],
            let count = environment["PRIVACYIDEA_USERS"].flatMap({ Int($0) }), let userFormat = environment["PRIVACYIDEA_USER_FORMAT"],
            let phoneFormat = environment["PRIVACYIDEA_PHONE_FORMAT"]
        else { throw Failed(description: "the privacyIDEA environment file lacks a key") }
        self.client = client
        self.url = url
        self.realm = realm
        self.users = (1...max(count, 1)).map { (String(format: userFormat, $0), String(format: phoneFormat, $0)) }
        self.pin = environment["PRIVACYIDEA_PIN"] ?? ""
        self.inbox = inbox
    }

    func figures(levels: [Int], duration: Duration, server: ServerProcess, flows: Set<String>) async throws -> [LoadLevel.Figures] {
        var figures: [LoadLevel.Figures] = []
        for concurrency in levels where flows.contains("registration") {
            let lanes = Lanes(users, lanes: concurrency)
            let perLane = users.count / concurrency
            figures.append(await LoadLevel(name: "send SMS code + verify", concurrency: concurrency, duration: duration).run(server: server) { worker, unit in
                guard perLane > 0, let user = lanes.take(worker, unit % perLane) else { return false }
                let (transaction, code) = try await trigger(user)
                guard try await check(user, transaction: transaction, code: code) else { throw Failed(description: "the right code was refused") }
                return true
            })
        }
        for concurrency in levels where flows.contains("wrong") {
            // A live challenge per user, tried again and again: privacyIDEA keeps a challenge through wrong codes.
            var challenges: [ChallengeRef] = []
            for user in users {
                let (transaction, code) = try await trigger(user)
                challenges.append(ChallengeRef(name: user.name, phone: user.phone, transaction: transaction, code: code))
            }
            let lanes = Lanes(challenges, lanes: concurrency)
            let perLane = challenges.count / concurrency
            figures.append(await LoadLevel(name: "wrong code", concurrency: concurrency, duration: duration).run(server: server) { worker, unit in
                guard perLane > 0, let challenge = lanes.take(worker, unit % perLane) else { return false }
                let wrong = String(format: "%06d", ((Int(challenge.code) ?? 0) + 1) % 1_000_000)
                guard try await check((challenge.name, challenge.phone), transaction: challenge.transaction, code: wrong) == false else {
                    throw Failed(description: "a wrong code was accepted")
                }
                return true
            })
        }
        return figures
    }

    struct ChallengeRef: Sendable {
        let name: String
        let phone: String
        let transaction: String
        let code: String
    }

    /// Triggers a challenge: its transaction and the code the SMS carried.
    private func trigger(_ user: (name: String, phone: String)) async throws -> (String, String) {
        let answer = try await validate(["user": user.name, "realm": realm, "pass": pin])
        guard let detail = answer["detail"] as? [String: Any], let transaction = detail["transaction_id"] as? String else {
            throw Failed(description: "no challenge for \(user.name): \(answer)")
        }
        guard let code = await inbox.next(for: user.phone, within: .seconds(10)) else { throw Failed(description: "no SMS to \(user.phone)") }
        return (transaction, code)
    }

    private func check(_ user: (name: String, phone: String), transaction: String, code: String) async throws -> Bool {
        let answer = try await validate(["user": user.name, "realm": realm, "pass": code, "transaction_id": transaction])
        guard let result = answer["result"] as? [String: Any], result["status"] as? Bool == true else { throw Failed(description: "\(answer)") }
        return result["value"] as? Bool == true
    }

    private func validate(_ fields: [String: String]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url + "/validate/check")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: LoadBrowser.encode(fields)))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw Failed(description: "not JSON: \(String(buffer: body).prefix(200))")
        }
        return object
    }
}
