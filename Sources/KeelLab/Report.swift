/// Self-contained HTML pages: inline CSS, inline SVG, no scripts, no network fonts.
public enum Report {
    /// The report's CSS: readable text width, tables, figures in a grid, verdict colours.
    public static let style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1340px; color: #222; line-height: 1.45; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 1em; }
        .verdict-yes { color: #0a7d2c; font-weight: bold; } .verdict-no { color: #b3261e; font-weight: bold; }
        .note { color: #555; font-size: 0.9em; }
        figure { margin: 0; } figure svg { max-width: 100%; height: auto; } figure img { max-width: 100%; height: auto; image-rendering: pixelated; }
        figcaption { color: #555; font-size: 0.85em; max-width: 640px; }
        """

    /// A complete HTML document.
    public static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>\(style)</style></head>
        <body>
        \(body)
        </body></html>

        """
    }
}
