import Foundation
import Store

/// `GET /api/v1/spectrum`: one layer's stored eigenvalues (ascending) at one checkpoint.
public struct SpectrumView: Encodable, Sendable {
    public var run: String
    public var layer: String
    public var spectrum: StoredSpectrum
    public init(run: String, layer: String, spectrum: StoredSpectrum) { self.run = run; self.layer = layer; self.spectrum = spectrum }

    enum K: String, CodingKey { case run, layer, step, count, eigenvalues }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(run, forKey: .run); try c.encode(layer, forKey: .layer); try c.encode(spectrum.step, forKey: .step)
        try c.encode(spectrum.eigenvalues.count, forKey: .count); try c.encode(spectrum.eigenvalues, forKey: .eigenvalues)
    }

    public func json() throws -> String {
        String(decoding: try MachineJSON.encoder(pretty: false).encode(self), as: UTF8.self) + "\n"
    }
}
