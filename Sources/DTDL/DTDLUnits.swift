/// The semantic types and units of DTDL's QuantitativeTypes (built into DTDL v2, an extension in v3), and how
/// their units map to the unit symbols TwinHub knows (`PropertySpec.knownUnits`).
public enum DTDLUnits {
    /// Each semantic type with the units it allows (the QuantitativeTypes extension, version 1).
    public static let unitsBySemanticType: [String: [String]] = {
        let angle = ["degreeOfArc", "minuteOfArc", "radian", "secondOfArc", "turn"]
        let length = ["astronomicalUnit", "centimetre", "foot", "inch", "kilometre", "metre", "micrometre", "mile", "millimetre",
                      "nanometre", "nauticalMile"]
        let power = ["britishThermalUnitPerHour", "gigajoulePerHour", "gigawatt", "horsepower", "joulePerHour", "joulePerSecond",
                     "kiloBritishThermalUnitPerHour", "kilojoulePerHour", "kilojoulePerSecond", "kilowatt", "kilowattHourPerYear",
                     "megajoulePerHour", "megawatt", "microwatt", "milliwatt", "tonOfRefrigeration", "watt"]
        let unitless = ["partsPerBillion", "partsPerMillion", "partsPerQuadrillion", "partsPerTrillion", "percent", "unity"]
        let density = ["gramPerCubicMetre", "kilogramPerCubicMetre", "microgramPerCubicMetre", "milligramPerCubicMetre"]
        let force = ["newton", "ounce", "pound", "ton"]
        return [
            "Acceleration": ["centimetrePerSecondSquared", "gForce", "metrePerSecondSquared"],
            "Angle": angle, "Latitude": angle, "Longitude": angle,
            "AngularAcceleration": ["radianPerSecondSquared"],
            "AngularVelocity": ["degreePerSecond", "radianPerSecond", "revolutionPerMinute", "revolutionPerSecond"],
            "ApparentEnergy": ["gigavoltAmpereHour", "kilovoltAmpereHour", "megavoltAmpereHour", "voltAmpereHour"],
            "ApparentPower": ["gigavoltAmpere", "kilovoltAmpere", "megavoltAmpere", "millivoltAmpere", "voltAmpere"],
            "Area": ["acre", "hectare", "squareCentimetre", "squareFoot", "squareInch", "squareKilometre", "squareMetre", "squareMillimetre"],
            "Capacitance": ["farad", "microfarad", "millifarad", "nanofarad", "picofarad"],
            "Concentration": unitless, "RelativeDensity": unitless, "RelativeHumidity": unitless,
            "Current": ["ampere", "kiloampere", "microampere", "milliampere"],
            "Density": density, "Humidity": density,
            "Distance": length, "Length": length,
            "ElectricCharge": ["ampereHour", "coulomb", "milliampereHour"],
            "Energy": ["britishThermalUnit", "electronvolt", "gigajoule", "gigawattHour", "joule", "kiloBritishThermalUnit", "kilojoule",
                       "kilowattHour", "megaelectronvolt", "megajoule", "megawattHour", "milliwattHour", "terawattHour", "wattHour"],
            "EnergyRate": power, "Luminosity": power, "Power": power,
            "Force": force, "Thrust": force,
            "Frequency": ["gigahertz", "hertz", "kilohertz", "megahertz", "millihertz"],
            "Illuminance": ["footcandle", "lux"],
            "Mass": ["gram", "kilogram", "massPound", "microgram", "milligram", "slug", "tonne"],
            "MassFlowRate": ["gramPerHour", "gramPerSecond", "kilogramPerHour", "kilogramPerSecond", "massPoundPerHour"],
            "Pressure": ["bar", "decapascal", "hectopascal", "inchesOfMercury", "inchesOfWater", "kilopascal", "millibar",
                         "millimetresOfMercury", "pascal", "poundPerSquareInch"],
            "SoundPressure": ["bel", "decibel"],
            "Temperature": ["degreeCelsius", "degreeFahrenheit", "kelvin"],
            "TimeSpan": ["day", "hour", "microsecond", "millisecond", "minute", "nanosecond", "second", "year"],
            "Torque": ["newtonMetre"],
            "Velocity": ["centimetrePerSecond", "kilometrePerHour", "kilometrePerSecond", "knot", "metrePerHour", "metrePerSecond",
                         "milePerHour", "milePerSecond"],
            "Voltage": ["kilovolt", "megavolt", "microvolt", "millivolt", "volt"],
            "Volume": ["cubicCentimetre", "cubicFoot", "cubicInch", "cubicMetre", "fluidOunce", "gallon", "litre", "millilitre"],
            "VolumeFlowRate": ["cubicFootPerMinute", "cubicMetrePerHour", "cubicMetrePerMinute", "cubicMetrePerSecond", "gallonPerHour",
                               "gallonPerMinute", "litrePerHour", "litrePerMinute", "litrePerSecond", "millilitrePerHour",
                               "millilitrePerMinute", "millilitrePerSecond"],
        ]
    }()

    /// The semantic types TwinHub knows (others are named in a warning).
    public static var semanticTypes: Set<String> { Set(unitsBySemanticType.keys) }

    /// DTDL unit names and the TwinHub symbol each becomes. `millimetrePerSecond` and `millimetrePerMinute` are not
    /// QuantitativeTypes units but common in machine models written by hand; they are read, never written.
    public static let symbolByUnit: [String: String] = [
        "revolutionPerMinute": "rpm", "percent": "%", "degreeCelsius": "°C", "kelvin": "K",
        "millimetrePerSecond": "mm/s", "gForce": "g", "watt": "W", "kilowatt": "kW", "kilowattHour": "kWh",
        "kilovoltAmpere": "kVA", "ampere": "A", "volt": "V", "hertz": "Hz", "bar": "bar", "pascal": "Pa",
        "kilopascal": "kPa", "litrePerMinute": "l/min", "cubicMetrePerMinute": "m³/min", "cubicMetrePerHour": "m³/h",
        "newtonMetre": "Nm", "newton": "N", "tonne": "t", "kilogram": "kg", "millimetre": "mm", "metre": "m",
        "millimetrePerMinute": "mm/min", "micrometre": "µm", "partsPerMillion": "ppm", "second": "s", "minute": "min",
        "hour": "h", "decibel": "dB", "lux": "lux", "unity": "",
    ]

    /// The QuantitativeTypes unit and a semantic type for a TwinHub symbol, or `nil` when DTDL has no such unit
    /// (`%`, whose DTDL unit belongs to concentrations and humidity, not to a load; `mm/s`, `mm/s²`, `MPa`, `kN`, `m/min`, `mm/min`, `picks/min`, `strokes/min`, `count`).
    public static func dtdlUnit(for symbol: String) -> (semanticType: String, unit: String)? {
        switch symbol {
        case "rpm": ("AngularVelocity", "revolutionPerMinute")
        case "°C": ("Temperature", "degreeCelsius")
        case "K": ("Temperature", "kelvin")
        case "g": ("Acceleration", "gForce")
        case "W": ("Power", "watt")
        case "kW": ("Power", "kilowatt")
        case "kWh": ("Energy", "kilowattHour")
        case "kVA": ("ApparentPower", "kilovoltAmpere")
        case "A": ("Current", "ampere")
        case "V": ("Voltage", "volt")
        case "Hz": ("Frequency", "hertz")
        case "bar": ("Pressure", "bar")
        case "Pa": ("Pressure", "pascal")
        case "kPa": ("Pressure", "kilopascal")
        case "l/min": ("VolumeFlowRate", "litrePerMinute")
        case "m³/min": ("VolumeFlowRate", "cubicMetrePerMinute")
        case "m³/h": ("VolumeFlowRate", "cubicMetrePerHour")
        case "Nm": ("Torque", "newtonMetre")
        case "N": ("Force", "newton")
        case "t": ("Mass", "tonne")
        case "kg": ("Mass", "kilogram")
        case "mm": ("Length", "millimetre")
        case "m": ("Length", "metre")
        case "µm": ("Length", "micrometre")
        case "ppm": ("Concentration", "partsPerMillion")
        case "s": ("TimeSpan", "second")
        case "min": ("TimeSpan", "minute")
        case "h": ("TimeSpan", "hour")
        case "dB": ("SoundPressure", "decibel")
        case "lux": ("Illuminance", "lux")
        default: nil
        }
    }

    /// Units TwinHub has no symbol for, converted to the nearest symbol it knows with a factor: the import names the
    /// conversion in a warning and keeps the nearest symbol (values are the model's; scale them if they matter).
    public static let nearestSymbol: [String: String] = [
        "degreeFahrenheit": "°C", "millibar": "bar", "hectopascal": "kPa", "poundPerSquareInch": "bar", "megawatt": "kW",
        "milliwatt": "W", "horsepower": "kW", "kilovolt": "V", "millivolt": "V", "milliampere": "A", "kilohertz": "Hz",
        "litrePerSecond": "l/min", "litrePerHour": "l/min", "cubicMetrePerSecond": "m³/min", "gallonPerMinute": "l/min",
        "centimetre": "mm", "kilometre": "m", "inch": "mm", "foot": "m", "gram": "kg", "millisecond": "s",
        "radianPerSecond": "rpm", "revolutionPerSecond": "rpm", "degreePerSecond": "rpm", "metrePerSecondSquared": "g",
        "wattHour": "kWh", "megawattHour": "kWh", "kilonewton": "N", "metrePerSecond": "mm/s", "centimetrePerSecond": "mm/s",
    ]
}
