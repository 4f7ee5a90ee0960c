import Foundation
import SesameCore

/// The passkey forms' fields (docs/behaviour.md#passkeys): the page's script posts the browser's WebAuthn answer as
/// base64url fields, each bounded before it is decoded, and the options the script hands the browser travel in the
/// form's `data-options` as JSON.
enum PasskeyForm {
    /// The options as the template writes them into `data-options`.
    static func json(_ options: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(options)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func attestation(_ form: FormData) -> PasskeyAttestation? {
        guard let object = bytes(form, "attestationObject", limit: 16_384),
            let client = bytes(form, "clientDataJSON", limit: ClientData.maximumLength)
        else { return nil }
        return PasskeyAttestation(attestationObject: object, clientDataJSON: client)
    }

    static func assertion(_ form: FormData) -> PasskeyAssertion? {
        guard let id = bytes(form, "credentialID", limit: Passkey.maximumCredentialIDLength),
            let data = bytes(form, "authenticatorData", limit: 4_096),
            let client = bytes(form, "clientDataJSON", limit: ClientData.maximumLength),
            let signature = bytes(form, "signature", limit: 1_024)
        else { return nil }
        // Absent is allowed (a gate's user is known); present and broken is not.
        var handle: [UInt8]?
        if !form.text("userHandle").isEmpty {
            guard let decoded = bytes(form, "userHandle", limit: 64) else { return nil }
            handle = decoded
        }
        return PasskeyAssertion(credentialID: id, authenticatorData: data, clientDataJSON: client, signature: signature, userHandle: handle)
    }

    /// A field's bytes: at most `limit` of them, as base64url of at most the matching length.
    private static func bytes(_ form: FormData, _ name: String, limit: Int) -> [UInt8]? {
        let text = form.text(name)
        guard !text.isEmpty, let bytes = [UInt8](base64URL: text, limit: (limit * 4 + 2) / 3), !bytes.isEmpty else { return nil }
        return bytes
    }
}
