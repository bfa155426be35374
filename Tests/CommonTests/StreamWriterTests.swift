import Common
import Foundation
import Testing

@Suite struct StreamWriterTests {
    @Test func aClosedPipeIsAFailedWriteNotATrap() throws {
        // As in every process that runs NIO: a write to a closed pipe is EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let writer = StreamWriter(pipe.fileHandleForWriting)
        #expect(writer.write("{\"message\":\"one more line\"}\n") == false)
    }

    @Test func anOpenPipeGetsTheWholeLine() throws {
        let pipe = Pipe()
        let writer = StreamWriter(pipe.fileHandleForWriting)
        #expect(writer.write("ready\n"))
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "ready\n")
    }
}
