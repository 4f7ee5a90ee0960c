import Foundation
import SesameCore

/// Server-drawn SVG charts (no script, no outside service): shapes use presentation attributes, not style
/// attributes, so the strict Content-Security-Policy stands.
enum Charts {
    /// One bar (or bar segment) colour per result, the legend's order.
    static let resultColours: [(ResetResult, String)] = [
        (.succeeded, "#1e7b34"), (.failed, "#b3261e"), (.blocked, "#7a1a14"), (.contactedAdmin, "#0b5cad"),
        (.cancelled, "#9aa5b1"), (.abandoned, "#5b6570"),
    ]

    /// Stacked bars: resets per day, coloured by result.
    static func resetsPerDay(_ days: [ActivityCharts.Day], title: String, resultLabel: (ResetResult) -> String) -> String {
        let width = 760.0, height = 220.0, left = 36.0, bottom = 24.0, top = 8.0
        let highest = max(days.map(\.total).max() ?? 0, 1)
        let slot = (width - left) / Double(max(days.count, 1))
        var shapes = ""
        for (index, day) in days.enumerated() {
            var y = height - bottom
            for (result, colour) in resultColours {
                let count = day.counts[result] ?? 0
                guard count > 0 else { continue }
                let barHeight = (height - bottom - top) * Double(count) / Double(highest)
                y -= barHeight
                shapes += ##"<rect x="\##(format(left + Double(index) * slot + 1))" y="\##(format(y))" width="\##(format(max(slot - 2, 1)))" height="\##(format(barHeight))" fill="\##(colour)"><title>\##(Markup.escape(day.day.formatted(.iso8601.year().month().day()))): \##(count) \##(Markup.escape(resultLabel(result)))</title></rect>"##
            }
        }
        let axis = ##"<line x1="\##(left)" y1="\##(height - bottom)" x2="\##(width)" y2="\##(height - bottom)" stroke="#5b6570"/>"##
            + ##"<text x="\##(left - 4)" y="\##(top + 10)" text-anchor="end" font-size="11" fill="#1b1f24">\##(highest)</text>"##
            + ##"<text x="\##(left - 4)" y="\##(height - bottom)" text-anchor="end" font-size="11" fill="#1b1f24">0</text>"##
        let labels = [days.first, days.last].compactMap { $0 }.enumerated().map { index, day in
            ##"<text x="\##(index == 0 ? left : width)" y="\##(height - 6)" text-anchor="\##(index == 0 ? "start" : "end")" font-size="11" fill="#1b1f24">\##(Markup.escape(day.day.formatted(.iso8601.year().month().day())))</text>"##
        }.joined()
        let legend = resultColours.enumerated().map { index, entry in
            let x = Double(index) * 125
            return ##"<rect x="\##(x)" y="\##(height + 8)" width="12" height="12" fill="\##(entry.1)"/><text x="\##(x + 16)" y="\##(height + 18)" font-size="12" fill="#1b1f24">\##(Markup.escape(resultLabel(entry.0)))</text>"##
        }.joined()
        return svg(width: width, height: height + 28, title: title, body: axis + shapes + labels + legend)
    }

    /// Horizontal bars, each a share of `total`, with its count and percentage.
    static func shares(_ bars: [(label: String, count: Int)], total: Int, title: String) -> String {
        let width = 760.0, labelWidth = 260.0, rowHeight = 30.0
        var body = ""
        for (index, bar) in bars.enumerated() {
            let y = Double(index) * rowHeight
            let share = total == 0 ? 0 : Double(bar.count) / Double(total)
            let length = (width - labelWidth - 110) * share
            body += ##"<text x="0" y="\##(format(y + 19))" font-size="13" fill="#1b1f24">\##(Markup.escape(bar.label))</text>"##
            body += ##"<rect x="\##(labelWidth)" y="\##(format(y + 6))" width="\##(format(width - labelWidth - 110))" height="18" fill="#e8ecf0"/>"##
            body += ##"<rect x="\##(labelWidth)" y="\##(format(y + 6))" width="\##(format(length))" height="18" fill="#0b5cad"/>"##
            body += ##"<text x="\##(format(width - 100))" y="\##(format(y + 19))" font-size="13" fill="#1b1f24">\##(bar.count) (\##(Int((share * 100).rounded())) %)</text>"##
        }
        return svg(width: width, height: Double(bars.count) * rowHeight + 6, title: title, body: body)
    }

    private static func svg(width: Double, height: Double, title: String, body: String) -> String {
        ##"<svg class="chart" role="img" aria-label="\##(Markup.escape(title))" viewBox="0 0 \##(format(width)) \##(format(height))" xmlns="http://www.w3.org/2000/svg"><title>\##(Markup.escape(title))</title>\##(body)</svg>"##
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
