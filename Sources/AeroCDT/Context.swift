/// A CDT context (cdt.md section 6): the path from a bin to a nested list or map,
/// as pairs `[type, value, ...]`, outermost first.
public struct ContextStep: Sendable {
    public var type: Int
    public var value: [UInt8]

    public var base: Int { type & 0x0f }
    public var isList: Bool { type & 0x30 == 0x10 }
    public var isMap: Bool { type & 0x30 == 0x20 }
    public var createBits: Int { type & 0x1c0 }

    public static let index = 0, rank = 1, key = 2, value = 3
}

public enum Context {
    /// The deepest context the real server accepts.
    public static let maxDepth = 15

    /// Parses the context array. Unknown or unsupported step types → 4 (EXP steps and the
    /// multi-selectors belong to path select, which is not supported).
    public static func parse(_ b: [UInt8]) throws(CDTError) -> [ContextStep] {
        let items: [[UInt8]]
        do { items = try CDTList.parse(b).items } catch { throw .parameter }
        guard items.count % 2 == 0, items.count >= 2, items.count / 2 <= maxDepth else { throw .parameter }
        var steps: [ContextStep] = []
        for i in stride(from: 0, to: items.count, by: 2) {
            let h = try items[i].withReader { r throws(CDTError) in try r.next() }
            guard h.kind == .int else { throw .parameter }
            let step = ContextStep(type: Int(h.int), value: items[i + 1])
            guard step.isList || step.isMap, step.base <= 3, step.type & 0x200 == 0 else {
                // AND-ed expressions inside a normal context: the real server answers 26.
                throw step.type & 0x200 != 0 ? .opNotApplicable : .parameter
            }
            if step.isList && step.base == ContextStep.key { throw .parameter }
            steps.append(step)
        }
        return steps
    }
}

/// One level of a path being walked: the container at this level and where its child sits.
enum Level {
    case list(CDTList, index: Int)
    case map(CDTMap, index: Int)
}

extension Context {
    /// Read-only walk of a context (msgpack `[type, value, ...]`) into a stored value: the
    /// selected element's msgpack, or nil when the path does not exist (secondary indexes on
    /// nested elements).
    public static func select(_ ctx: [UInt8], in value: [UInt8]) -> [UInt8]? {
        guard let steps = try? parse(ctx) else { return nil }
        var current = value
        for step in steps {
            guard let kind = try? current.withReader({ r throws(CDTError) in try r.header().kind }) else { return nil }
            if step.isList {
                guard kind == .list, var list = try? CDTList.parse(current),
                      let i = try? CDTExecutor.locate(step, in: &list, modify: false), i < list.items.count else { return nil }
                current = list.items[i]
            } else {
                guard kind == .map, var map = try? CDTMap.parse(current),
                      let i = try? CDTExecutor.locate(step, in: &map, modify: false) else { return nil }
                current = map.entries[i].value
            }
        }
        return current
    }
}
