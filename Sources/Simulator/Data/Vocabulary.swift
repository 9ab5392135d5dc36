/// Words for realistic names in the generated data set.
enum Vocabulary {
    static let firstNames = [
        "Julia", "Ahmed", "Maria", "Kenji", "Olga", "Carlos", "Priya", "Tom", "Fatima", "Lukas", "Grace", "Mateo",
        "Aisha", "Sven", "Mei", "Diego", "Hannah", "Ravi", "Chloe", "Omar", "Ingrid", "Luis", "Nora", "Jamal",
    ]
    static let lastNames = [
        "Funderburk", "Novak", "Okafor", "Tanaka", "Schmidt", "Garcia", "Iyer", "Kowalski", "Haddad", "Berg", "Chen",
        "Rossi", "Murphy", "Silva", "Andersson", "Nguyen", "Dubois", "Patel", "Kim", "Moreau", "Fischer", "Lopez",
    ]
    /// Route groups with the operation each one performs and the prefix of its machines' names.
    static let routeGroups: [(group: String, operation: String, machine: String)] = [
        ("MILL", "Milling", "CNC Mill"), ("TURN", "Turning", "CNC Lathe"), ("DRILL", "Drilling", "Drill Press"),
        ("GRIND", "Grinding", "Surface Grinder"), ("WELD", "Welding", "Weld Cell"), ("ASSY", "Assembly", "Assembly Line"),
        ("PAINT", "Painting", "Paint Booth"), ("INSP", "Inspection", "CMM"),
    ]
    static let productFamilies = [
        "Bracket", "Housing", "Shaft", "Flange", "Gear", "Bushing", "Manifold", "Valve body", "Cover plate", "Spindle",
        "Coupling", "Bearing cap", "Pump impeller", "Mounting plate", "Speaker cabinet", "Hinge", "Pulley", "Axle",
    ]
    static let productVariants = ["40 mm", "60 mm", "steel", "aluminium", "left", "right", "large", "small", "Mk II", "HD"]
    static let units = [("ea", 80), ("pcs", 15), ("kg", 5)]
}
