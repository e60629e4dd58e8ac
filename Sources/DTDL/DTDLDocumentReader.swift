/// Reads the elements of one DTDL document, gathering Interfaces and diagnostics as it goes: a problem in one element
/// does not stop the others from being read.
final class DTDLDocumentReader {
    let file: String
    private(set) var interfaces: [DTDLInterface] = []
    private(set) var diagnostics: [DTDLDiagnostic] = []
    /// Where each @id of the document was first given: an @id names one element only.
    private var identifiers: [String: DTDLLocation] = [:]

    /// The deepest nesting of complex schemas (DTDL v2 and v3).
    static let maximumSchemaDepth = 5
    /// The most `contents` of one Interface in DTDL v2.
    static let maximumContentsV2 = 300
    /// The most elements under an Interface's `contents`, nested ones included, in DTDL v3.
    static let maximumElementsV3 = 100_000

    init(file: String) {
        self.file = file
    }

    // MARK: Diagnostics

    func error(_ message: String, _ node: JSONNode) {
        diagnostics.append(DTDLDiagnostic(.error, message, at: DTDLLocation(file: file, node)))
    }

    func warning(_ message: String, _ node: JSONNode) {
        diagnostics.append(DTDLDiagnostic(.warning, message, at: DTDLLocation(file: file, node)))
    }

    // MARK: Interfaces

    /// Reads an Interface (and the inline Interfaces inside it); returns its DTMI, or `nil` if it has none usable.
    @discardableResult
    func interface(_ node: JSONNode, inherited: DTDLContext?) -> String? {
        guard node.members != nil else {
            error("an Interface must be a JSON object, not \(node.typeName)", node)
            return nil
        }
        let context: DTDLContext
        if let contextNode = node["@context"] {
            guard let read = self.context(contextNode) else { return nil }
            context = read
        } else if let inherited {
            context = inherited
        } else {
            error("an Interface needs '@context' (\"dtmi:dtdl:context;3\" or \"dtmi:dtdl:context;2\")", node)
            return nil
        }
        let types = self.types(node, what: "an Interface") ?? []
        guard types.first == "Interface" || types.contains("Interface") else {
            error("the element's @type must be \"Interface\", not \(types.map { "\"\($0)\"" }.joined(separator: ", "))", node["@type"] ?? node)
            return nil
        }
        let isMQTT = types.contains("Mqtt")
        for type in types where type != "Interface" && type != "Mqtt" {
            warning("the co-type '\(type)' of an Interface is not supported and is ignored", node["@type"] ?? node)
        }
        if isMQTT && !context.allowsMQTT {
            error("the co-type 'Mqtt' needs the MQTT extension in @context (\"\(DTDLContext.mqttPrefix)1\")", node["@type"] ?? node)
        }
        var allowed = ["@context", "@id", "@type", "comment", "contents", "description", "displayName", "extends", "schemas"]
        if isMQTT { allowed += ["telemetryTopic", "commandTopic", "payloadFormat", "telemetryServiceGroupId", "cmdServiceGroupId"] }
        checkKeys(node, allowed: allowed, what: "an Interface")
        guard let idNode = node["@id"], let id = idNode.string else {
            error("an Interface needs '@id', a DTMI such as \"dtmi:com:example:Machine;1\"", node["@id"] ?? node)
            return nil
        }
        if let problem = DTMI.problem(with: id, version: context.version, requireVersion: true) {
            error("'\(id)' is not a valid DTMI: \(problem)", idNode)
        } else if id.count > 128 {
            error("an Interface's @id is at most 128 characters; this one has \(id.count)", idNode)
        }
        noteIdentifier(id, idNode)
        let displayName = localizable(node, "displayName", limit: 64)
        let description = localizable(node, "description", limit: 512)
        let comment = plainString(node, "comment", limit: 512)

        var extends: [String] = []
        if let extendsNode = node["extends"] {
            let items = extendsNode.array ?? [extendsNode]
            if context.version == 2 && items.count > 2 {
                error("a DTDL v2 Interface extends at most 2 Interfaces directly; this one names \(items.count)", extendsNode)
            }
            for item in items {
                if let dtmi = item.string {
                    if let problem = DTMI.problem(with: dtmi, version: context.version, requireVersion: true) {
                        error("extends '\(dtmi)', which is not a valid DTMI: \(problem)", item)
                    } else {
                        extends.append(dtmi)
                    }
                } else if item.members != nil {
                    if let inline = interface(item, inherited: context) { extends.append(inline) }
                } else {
                    error("extends holds DTMIs or Interfaces, not \(item.typeName)", item)
                }
            }
        }

        var localSchemas: [String: JSONNode] = [:]
        if let schemasNode = node["schemas"] {
            for item in schemasNode.array ?? [] {
                guard let schemaID = item["@id"]?.string else {
                    error("an Interface schema needs '@id', a DTMI by which contents name it", item)
                    continue
                }
                if let problem = DTMI.problem(with: schemaID, version: context.version, requireVersion: false) {
                    error("'\(schemaID)' is not a valid DTMI: \(problem)", item["@id"] ?? item)
                }
                if localSchemas[schemaID] != nil {
                    error("the schema '\(schemaID)' is defined twice", item)
                } else if let idNode = item["@id"] {
                    noteIdentifier(schemaID, idNode)
                }
                localSchemas[schemaID] = item
            }
            if schemasNode.array == nil { error("schemas must be an array of Array, Enum, Map or Object schemas", schemasNode) }
        }
        let scope = SchemaScope(context: context, local: localSchemas)

        var contents: [DTDLContent] = []
        if let contentsNode = node["contents"] {
            if let items = contentsNode.array {
                if context.version == 2 && items.count > Self.maximumContentsV2 {
                    error("a DTDL v2 Interface has at most \(Self.maximumContentsV2) contents; this one has \(items.count)", contentsNode)
                }
                if context.version >= 3 {
                    let count = Self.elementCount(contentsNode)
                    if count > Self.maximumElementsV3 {
                        error("a DTDL v3 Interface holds at most \(Self.maximumElementsV3) elements under contents; this one has \(count)", contentsNode)
                    }
                }
                var seen: [String: JSONNode] = [:]
                for item in items {
                    guard let content = self.content(item, scope: scope) else { continue }
                    if let first = seen[content.name] {
                        error("the name '\(content.name)' is used twice in contents (first at \(first.line):\(first.column))", item["name"] ?? item)
                    } else {
                        seen[content.name] = item
                    }
                    contents.append(content)
                }
            } else {
                error("contents must be an array, not \(contentsNode.typeName)", contentsNode)
            }
        }

        var mqtt: DTDLInterface.MQTTBinding?
        if isMQTT {
            mqtt = .init(telemetryTopic: plainString(node, "telemetryTopic", limit: 2048),
                         commandTopic: plainString(node, "commandTopic", limit: 2048),
                         payloadFormat: plainString(node, "payloadFormat", limit: 2048))
        }
        interfaces.append(DTDLInterface(
            id: id, dtdlVersion: context.version, extensions: context.extensions, extends: extends, contents: contents,
            displayName: displayName, description: description, comment: comment, mqtt: mqtt,
            location: DTDLLocation(file: file, node), extendsLocation: node["extends"].map { DTDLLocation(file: file, $0) }))
        return id
    }

    /// The DTDL version and extensions of `@context`.
    private func context(_ node: JSONNode) -> DTDLContext? {
        let items = node.array ?? [node]
        var version: Int?
        var extensions: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.string else {
                error("@context holds context DTMIs, not \(item.typeName)", item)
                return nil
            }
            if text.count > 2048 { error("a @context entry is at most 2048 characters", item) }
            switch text {
            case "dtmi:dtdl:context;2", "dtmi:dtdl:context;3":
                guard version == nil else {
                    error("@context names a DTDL version twice", item)
                    return nil
                }
                if index != 0 { error("the DTDL context must come first in @context", item) }
                version = text.hasSuffix("2") ? 2 : 3
            case let other where other.hasPrefix("dtmi:dtdl:context;"):
                error("'\(other)' is not supported: TwinHub reads DTDL v2 (dtmi:dtdl:context;2) and v3 (dtmi:dtdl:context;3)", item)
                return nil
            case DTDLContext.quantitativeTypes:
                extensions.append(text)
            case let mqtt where mqtt.hasPrefix(DTDLContext.mqttPrefix):
                extensions.append(mqtt)
            default:
                warning("the context '\(text)' is not supported: its types and properties are errors where used", item)
                extensions.append(text)
            }
        }
        guard let version else {
            error("@context must name the DTDL version first: \"dtmi:dtdl:context;3\" or \"dtmi:dtdl:context;2\"", node)
            return nil
        }
        if version == 2, let extensionNode = items.dropFirst().first {
            error("DTDL v2 has no language extensions; \(extensionNode.string ?? "this context") needs \"dtmi:dtdl:context;3\"", extensionNode)
        }
        return DTDLContext(version: version, extensions: extensions)
    }

    // MARK: Contents

    /// The Interface's local schemas and context, for resolving `schema` references.
    struct SchemaScope {
        var context: DTDLContext
        var local: [String: JSONNode]
        var resolving: Set<String> = []
    }

    private func content(_ node: JSONNode, scope: SchemaScope) -> DTDLContent? {
        guard node.members != nil else {
            error("an element of contents must be a JSON object, not \(node.typeName)", node)
            return nil
        }
        guard let types = types(node, what: "an element of contents") else { return nil }
        let classes = ["Telemetry", "Property", "Command", "Component", "Relationship"]
        let found = types.filter { classes.contains($0) }
        guard found.count == 1, let className = found.first else {
            if found.isEmpty {
                error("the element's @type names no class of contents (Telemetry, Property, Command, Component, Relationship): \(types.joined(separator: ", "))", node["@type"] ?? node)
            } else {
                error("the element's @type names two classes: \(found.joined(separator: ", "))", node["@type"] ?? node)
            }
            return nil
        }
        let name = self.name(node, version: scope.context.version)
        let semanticTypes = self.semanticTypes(types.filter { $0 != className }, node: node, context: scope.context,
                                               mayHaveThem: className == "Telemetry" || className == "Property")
        let common = ["@type", "@id", "comment", "description", "displayName", "name"]
        var kind: DTDLContent.Kind
        var schema: DTDLSchema?
        switch className {
        case "Telemetry", "Property":
            var keys = common + ["schema"]
            if className == "Property" { keys.append("writable") }
            if !semanticTypes.isEmpty { keys.append("unit") }
            checkKeys(node, allowed: keys, what: "a \(className)")
            schema = requiredSchema(node, scope: scope, what: "a \(className)")
            if className == "Property" {
                let writable = node["writable"].flatMap { item -> Bool? in
                    if case .bool(let value) = item.value { return value }
                    error("writable must be true or false, not \(item.typeName)", item)
                    return nil
                } ?? false
                kind = .property(writable: writable)
            } else {
                kind = .telemetry
            }
        case "Command":
            var keys = common + ["request", "response"]
            if scope.context.version == 2 { keys.append("commandType") }
            checkKeys(node, allowed: keys, what: "a Command")
            if let commandType = node["commandType"] {
                warning("commandType is deprecated in DTDL v2 and ignored", commandType)
            }
            kind = .command(request: node["request"].flatMap { commandPayload($0, scope: scope, what: "CommandRequest") },
                            response: node["response"].flatMap { commandPayload($0, scope: scope, what: "CommandResponse") })
        case "Component":
            checkKeys(node, allowed: common + ["schema"], what: "a Component")
            var target = ""
            if let schemaNode = node["schema"] {
                if let dtmi = schemaNode.string {
                    if let problem = DTMI.problem(with: dtmi, version: scope.context.version, requireVersion: true) {
                        error("the Component's schema '\(dtmi)' is not a valid DTMI: \(problem)", schemaNode)
                    }
                    target = dtmi
                } else if schemaNode.members != nil {
                    target = interface(schemaNode, inherited: scope.context) ?? ""
                } else {
                    error("a Component's schema is an Interface or its DTMI, not \(schemaNode.typeName)", schemaNode)
                }
            } else {
                error("a Component needs 'schema', the Interface it is an instance of", node)
            }
            kind = .component(interface: target)
        default:
            checkKeys(node, allowed: common + ["maxMultiplicity", "minMultiplicity", "properties", "target", "writable"], what: "a Relationship")
            var target: String?
            if let targetNode = node["target"] {
                if let dtmi = targetNode.string, DTMI.problem(with: dtmi, version: scope.context.version, requireVersion: false) == nil {
                    target = dtmi
                } else {
                    error("a Relationship's target must be a DTMI", targetNode)
                }
            }
            if let properties = node["properties"] {
                for item in properties.array ?? [] where self.types(item, what: "a Relationship property")?.contains("Property") != true {
                    error("a Relationship's properties must be Properties", item)
                }
            }
            kind = .relationship(target: target)
        }
        if let idNode = node["@id"] { checkElementID(idNode, version: scope.context.version) }
        guard let name else { return nil }
        return DTDLContent(
            kind: kind, name: name, schema: schema, semanticTypes: semanticTypes, unit: unit(node, semanticTypes: semanticTypes),
            displayName: localizable(node, "displayName", limit: 64), description: localizable(node, "description", limit: 512),
            comment: plainString(node, "comment", limit: 512), location: DTDLLocation(file: file, node))
    }

    /// A Command's request or response: a name and a schema (in v3, perhaps `nullable`).
    private func commandPayload(_ node: JSONNode, scope: SchemaScope, what: String) -> DTDLField? {
        field(node, scope: scope, depth: 0, what: what, extraKeys: scope.context.version >= 3 ? ["nullable"] : [])
    }

    // MARK: Schemas

    private func requiredSchema(_ node: JSONNode, scope: SchemaScope, what: String) -> DTDLSchema? {
        guard let schemaNode = node["schema"] else {
            error("\(what) needs 'schema'", node)
            return nil
        }
        return schema(schemaNode, scope: scope, depth: 0)
    }

    private func schema(_ node: JSONNode, scope: SchemaScope, depth: Int) -> DTDLSchema? {
        if let name = node.string {
            if DTDLSchema.primitives.contains(name) { return .primitive(name) }
            if name.hasPrefix("dtmi:") {
                guard let definition = scope.local[name] else {
                    error("the schema '\(name)' is not among this Interface's schemas", node)
                    return nil
                }
                guard !scope.resolving.contains(name) else {
                    error("the schema '\(name)' contains itself", node)
                    return nil
                }
                var inner = scope
                inner.resolving.insert(name)
                return schema(definition, scope: inner, depth: depth)
            }
            error("unknown schema '\(name)' (primitives: \(DTDLSchema.primitives.sorted().joined(separator: ", ")))", node)
            return nil
        }
        guard node.members != nil else {
            error("a schema is a primitive's name, a DTMI or a complex schema object, not \(node.typeName)", node)
            return nil
        }
        guard depth < Self.maximumSchemaDepth else {
            error("complex schemas nest at most \(Self.maximumSchemaDepth) levels deep", node)
            return nil
        }
        guard let types = types(node, what: "a schema") else { return nil }
        if let idNode = node["@id"] { checkElementID(idNode, version: scope.context.version) }
        let common = ["@type", "@id", "comment", "description", "displayName"]
        switch types.first {
        case "Enum":
            checkKeys(node, allowed: common + ["enumValues", "valueSchema"], what: "an Enum")
            return enumeration(node, scope: scope)
        case "Object":
            checkKeys(node, allowed: common + ["fields"], what: "an Object")
            var fields: [DTDLField] = []
            var seen: Set<String> = []
            guard let fieldsNode = node["fields"] else {
                if scope.context.version == 2 { error("a DTDL v2 Object needs 'fields'", node) }
                return .object([])
            }
            guard let items = fieldsNode.array else {
                error("fields must be an array, not \(fieldsNode.typeName)", fieldsNode)
                return nil
            }
            for item in items {
                guard let field = field(item, scope: scope, depth: depth + 1, what: "Field") else { continue }
                if !seen.insert(field.name).inserted { error("the field name '\(field.name)' is used twice in the Object", item["name"] ?? item) }
                fields.append(field)
            }
            return .object(fields)
        case "Map":
            checkKeys(node, allowed: common + ["mapKey", "mapValue"], what: "a Map")
            guard let keyNode = node["mapKey"], let valueNode = node["mapValue"] else {
                error("a Map needs 'mapKey' and 'mapValue'", node)
                return nil
            }
            checkKeys(keyNode, allowed: ["@type", "@id", "comment", "description", "displayName", "name", "schema"], what: "a MapKey")
            _ = self.name(keyNode, version: scope.context.version)
            if keyNode["schema"]?.string != "string" { error("a MapKey's schema must be \"string\"", keyNode["schema"] ?? keyNode) }
            guard let value = field(valueNode, scope: scope, depth: depth + 1, what: "MapValue") else { return nil }
            return .map(key: keyNode["name"]?.string ?? "", value: value)
        case "Array":
            checkKeys(node, allowed: common + ["elementSchema"], what: "an Array")
            guard let element = node["elementSchema"] else {
                error("an Array needs 'elementSchema'", node)
                return nil
            }
            return schema(element, scope: scope, depth: depth + 1).map { .array($0) }
        default:
            error("a complex schema's @type must be Array, Enum, Map or Object, not \(types.joined(separator: ", "))", node["@type"] ?? node)
            return nil
        }
    }

    private func enumeration(_ node: JSONNode, scope: SchemaScope) -> DTDLSchema? {
        guard let valueSchemaNode = node["valueSchema"] else {
            error("an Enum needs 'valueSchema' (\"integer\" or \"string\")", node)
            return nil
        }
        guard let valueSchema = valueSchemaNode.string, valueSchema == "integer" || valueSchema == "string" else {
            error("an Enum's valueSchema must be \"integer\" or \"string\"", valueSchemaNode)
            return nil
        }
        var values: [DTDLEnumValue] = []
        guard let valuesNode = node["enumValues"] else {
            if scope.context.version == 2 { error("a DTDL v2 Enum needs 'enumValues'", node) }
            return .enumeration(valueSchema: valueSchema, values: [], comment: plainString(node, "comment", limit: 512))
        }
        guard let items = valuesNode.array else {
            error("enumValues must be an array, not \(valuesNode.typeName)", valuesNode)
            return nil
        }
        var names: Set<String> = []
        var seenValues: Set<String> = []
        for item in items {
            guard item.members != nil else {
                error("an EnumValue must be a JSON object, not \(item.typeName)", item)
                continue
            }
            if item["@type"] != nil, types(item, what: "an EnumValue") != ["EnumValue"] {
                error("an EnumValue's @type must be \"EnumValue\"", item["@type"] ?? item)
            }
            checkKeys(item, allowed: ["@type", "@id", "comment", "description", "displayName", "enumValue", "name"], what: "an EnumValue")
            let name = self.name(item, version: scope.context.version)
            guard let valueNode = item["enumValue"] else {
                error("an EnumValue needs 'enumValue'", item)
                continue
            }
            var value: DTDLEnumValue.Value?
            switch (valueSchema, valueNode.value) {
            case ("integer", .number(let number, true)) where number >= Double(Int32.min) && number <= Double(Int32.max):
                value = .integer(Int(number))
            case ("string", .string(let text)):
                value = .string(text)
            default:
                error("the enumValue must be \(valueSchema == "integer" ? "a 4-byte integer" : "a string"), as the Enum's valueSchema says", valueNode)
            }
            guard let name, let value else { continue }
            if !names.insert(name).inserted { error("the EnumValue name '\(name)' is used twice", item["name"] ?? item) }
            if !seenValues.insert(value.description).inserted { error("the enumValue \(value) is used twice", valueNode) }
            values.append(DTDLEnumValue(name: name, value: value, displayName: localizable(item, "displayName", limit: 64),
                                        comment: plainString(item, "comment", limit: 512)))
        }
        return .enumeration(valueSchema: valueSchema, values: values, comment: plainString(node, "comment", limit: 512))
    }

    /// An Object's Field, a Map's MapValue or a Command's payload: a name, a schema, perhaps a semantic type and unit.
    private func field(_ node: JSONNode, scope: SchemaScope, depth: Int, what: String, extraKeys: [String] = []) -> DTDLField? {
        guard node.members != nil else {
            error("a \(what) must be a JSON object, not \(node.typeName)", node)
            return nil
        }
        let types = node["@type"] == nil ? [what] : (self.types(node, what: "a \(what)") ?? [what])
        if !types.contains(what) { error("a \(what)'s @type must be \"\(what)\"", node["@type"] ?? node) }
        let semanticTypes = self.semanticTypes(types.filter { $0 != what }, node: node, context: scope.context, mayHaveThem: true)
        var keys = ["@type", "@id", "comment", "description", "displayName", "name", "schema"] + extraKeys
        if !semanticTypes.isEmpty { keys.append("unit") }
        checkKeys(node, allowed: keys, what: "a \(what)")
        let name = self.name(node, version: scope.context.version)
        guard let schemaNode = node["schema"] else {
            error("a \(what) needs 'schema'", node)
            return nil
        }
        guard let schema = schema(schemaNode, scope: scope, depth: depth), let name else { return nil }
        return DTDLField(name: name, schema: schema, semanticTypes: semanticTypes, unit: unit(node, semanticTypes: semanticTypes))
    }

    // MARK: Properties shared by elements

    /// `@type`: one IRI or an array of them.
    private func types(_ node: JSONNode, what: String) -> [String]? {
        guard let typeNode = node["@type"] else {
            error("\(what) needs '@type'", node)
            return nil
        }
        let items = typeNode.array ?? [typeNode]
        var types: [String] = []
        for item in items {
            guard let text = item.string else {
                error("@type holds names, not \(item.typeName)", item)
                return nil
            }
            types.append(text)
        }
        if types.isEmpty { error("@type is empty", typeNode) }
        return types
    }

    /// The semantic types among the co-types `types`; the others are errors or, for other extensions, warnings.
    private func semanticTypes(_ types: [String], node: JSONNode, context: DTDLContext, mayHaveThem: Bool) -> [String] {
        var semantic: [String] = []
        let typeNode = node["@type"] ?? node
        for type in types {
            if DTDLUnits.semanticTypes.contains(type) {
                if !mayHaveThem {
                    error("the semantic type '\(type)' cannot co-type this element", typeNode)
                } else if !context.allowsSemanticTypes {
                    error("the semantic type '\(type)' needs the QuantitativeTypes extension in @context (\"\(DTDLContext.quantitativeTypes)\")", typeNode)
                } else {
                    semantic.append(type)
                }
            } else if context.extensions.contains(where: { $0 != DTDLContext.quantitativeTypes && !$0.hasPrefix(DTDLContext.mqttPrefix) }) {
                warning("the co-type '\(type)' (of an extension TwinHub does not support) is ignored", typeNode)
            } else {
                error("unknown co-type '\(type)'", typeNode)
            }
        }
        return semantic
    }

    /// `unit`, checked against the semantic type's units.
    private func unit(_ node: JSONNode, semanticTypes: [String]) -> String? {
        guard let unitNode = node["unit"] else { return nil }
        guard let unit = unitNode.string else {
            error("unit must be a unit's name, not \(unitNode.typeName)", unitNode)
            return nil
        }
        let allowed = semanticTypes.compactMap { DTDLUnits.unitsBySemanticType[$0] }.joined()
        let standard = DTDLUnits.unitsBySemanticType.values.contains { $0.contains(unit) }
        if !allowed.contains(unit) && (standard || DTDLUnits.symbolByUnit[unit] == nil) {
            error("'\(unit)' is not a unit of \(semanticTypes.joined(separator: ", ")) (\(Array(allowed).prefix(12).joined(separator: ", ")))", unitNode)
        } else if !allowed.contains(unit) {
            warning("'\(unit)' is not a QuantitativeTypes unit of \(semanticTypes.joined(separator: ", ")); TwinHub reads it as \(DTDLUnits.symbolByUnit[unit] ?? unit)", unitNode)
        }
        return unit
    }

    /// `name`, checked against DTDL's name rule.
    private func name(_ node: JSONNode, version: Int) -> String? {
        guard let nameNode = node["name"] else {
            error("the element needs 'name'", node)
            return nil
        }
        guard let name = nameNode.string else {
            error("name must be a string, not \(nameNode.typeName)", nameNode)
            return nil
        }
        if let problem = DTDLName.problem(with: name, version: version) {
            error(problem, nameNode)
            return nil
        }
        return name
    }

    private func checkElementID(_ node: JSONNode, version: Int) {
        guard let id = node.string else {
            error("@id must be a DTMI string, not \(node.typeName)", node)
            return
        }
        if let problem = DTMI.problem(with: id, version: version, requireVersion: false) {
            error("'\(id)' is not a valid DTMI: \(problem)", node)
        } else if id.count > 2048 {
            error("an element's @id is at most 2048 characters", node)
        }
        noteIdentifier(id, node)
    }

    /// Records where `id` is given; an error when the document gave it already.
    private func noteIdentifier(_ id: String, _ node: JSONNode) {
        let location = DTDLLocation(file: file, node)
        if let first = identifiers[id] {
            error("the @id '\(id)' is already given at \(first.line):\(first.column) (\(first.path)); an @id names one element", node)
        } else {
            identifiers[id] = location
        }
    }

    /// A localizable string: a string, or an object of language → string (the English one, or the first, is kept).
    private func localizable(_ node: JSONNode, _ key: String, limit: Int) -> String? {
        guard let item = node[key] else { return nil }
        if item.string != nil { return plainString(node, key, limit: limit) }
        guard let members = item.members else {
            error("\(key) must be a string or an object of language codes to strings, not \(item.typeName)", item)
            return nil
        }
        var chosen: String?
        for member in members {
            guard let text = member.value.string else {
                error("\(key) in '\(member.key)' must be a string", member.value)
                continue
            }
            if text.count > limit { error("\(key) is at most \(limit) characters; this one has \(text.count)", member.value) }
            if chosen == nil || member.key.hasPrefix("en") { chosen = text }
        }
        return chosen
    }

    private func plainString(_ node: JSONNode, _ key: String, limit: Int) -> String? {
        guard let item = node[key] else { return nil }
        guard let text = item.string else {
            error("\(key) must be a string, not \(item.typeName)", item)
            return nil
        }
        if text.count > limit { error("\(key) is at most \(limit) characters; this one has \(text.count)", item) }
        return text
    }

    /// Errors for keys the element's class does not have; `@`-keywords other than `@id`, `@type` and `@context` too.
    private func checkKeys(_ node: JSONNode, allowed: [String], what: String) {
        for member in node.members ?? [] where !allowed.contains(member.key) {
            let location = DTDLLocation(file: file, path: member.value.path, line: member.keyLine, column: member.keyColumn)
            diagnostics.append(DTDLDiagnostic(.error, "\(what) has no property '\(member.key)' (it has \(allowed.joined(separator: ", ")))", at: location))
        }
    }

    /// The number of elements (JSON objects) in `node`, itself included.
    static func elementCount(_ node: JSONNode) -> Int {
        switch node.value {
        case .object(let members): 1 + members.reduce(0) { $0 + elementCount($1.value) }
        case .array(let items): items.reduce(0) { $0 + elementCount($1) }
        default: 0
        }
    }
}
