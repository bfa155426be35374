import Foundation
import Testing

@testable import Web

/// `{{…}}` on the pages escapes the same five characters as the Mustache library did, with the
/// same replacements, through multi-byte text; and every page template is parsed with it.
@Suite struct HTMLEscapingTests {
    @Test func escapesTheFiveCharactersAndKeepsEverythingElse() {
        #expect(HTMLEscaping.escape("") == "")
        #expect(HTMLEscaping.escape("BTCUSDT 50123.40") == "BTCUSDT 50123.40")
        #expect(HTMLEscaping.escape(#"<script>alert("x" & 'y')</script>"#) == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        #expect(HTMLEscaping.escape("매수 <체결> 😀 & é") == "매수 &lt;체결&gt; 😀 &amp; é")
        #expect(HTMLEscaping.escape("&amp;") == "&amp;amp;", "already escaped text is escaped again, as before")
    }

    @Test func thePagesEscapeWhatTheyAreGiven() throws {
        let page = Views.render("message", ["heading": "<b>'ana' & \"bo\"</b>", "error": "<img src=x onerror=alert(1)>"])
        #expect(page.contains("&lt;b&gt;&#39;ana&#39; &amp; &quot;bo&quot;&lt;/b&gt;"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!page.contains("<img src=x"))
        #expect(!page.contains("CONTENT_TYPE"))
    }
}
