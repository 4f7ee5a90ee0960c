import Foundation

/// The names the scale population draws from: a few hundred of each, mostly French and English with some from
/// elsewhere, so that a search such as "mar" matches a realistic share of a million users (Marie, Martin, Marc, …)
/// and a rare one such as "zzzq" matches none.
enum ScaleNames {
    static let given: [String] = [
        "Marie", "Jean", "Pierre", "Michel", "André", "Philippe", "Nathalie", "Isabelle", "Sylvie", "Catherine",
        "Françoise", "Martine", "Christine", "Monique", "Nicolas", "Julien", "Sébastien", "Céline", "Sandrine", "Stéphane",
        "Thomas", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Lucas",
        "Hugo", "Louis", "Gabriel", "Arthur", "Raphaël", "Jules", "Adam", "Maël", "Théo", "Nathan",
        "Hélène", "Valérie", "Laurence", "Anne", "Véronique", "Brigitte", "Patricia", "Delphine", "Aurélie", "Émilie",
        "Marc", "Marcel", "Martin", "Mathieu", "Maxime", "Mathilde", "Marion", "Margaux", "Marine", "Marianne",
        "Bernard", "Alain", "Daniel", "Christophe", "Patrick", "Frédéric", "Laurent", "Éric", "David", "Olivier",
        "Claire", "Juliette", "Alice", "Zoé", "Lina", "Rose", "Anna", "Ambre", "Agathe", "Clémence",
        "James", "John", "Robert", "Michael", "William", "Richard", "Joseph", "Charles", "Christopher", "Matthew",
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
        "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Oscar", "Leo", "Freddie",
        "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Lily", "Freya", "Ella",
        "Mark", "Margaret", "Martha", "Marcus", "Marta", "Maria", "Mario", "Marco", "Marek", "Mariam",
        "Ahmed", "Mohamed", "Fatima", "Yasmine", "Karim", "Nadia", "Sofiane", "Amina", "Rachid", "Leila",
        "Giulia", "Francesco", "Alessandro", "Chiara", "Lorenzo", "Sofia", "Matteo", "Elena", "Andrea", "Luca",
        "Lukas", "Jonas", "Hannah", "Lena", "Felix", "Paul", "Sophie", "Anja", "Stefan", "Katrin",
        "Carlos", "Lucía", "Javier", "Carmen", "Pablo", "Sergio", "Elena", "Diego", "Alba", "Alejandro",
        "Wei", "Li", "Hiroshi", "Yuki", "Sakura", "Kenji", "Min-jun", "Ji-woo", "Arjun", "Priya",
        "Ananya", "Rohan", "Olga", "Dmitri", "Ivan", "Natalia", "Agnieszka", "Piotr", "Katarzyna", "Tomasz",
        "Benoît", "Gaëlle", "Yannick", "Gwenaël", "Loïc", "Noémie", "Océane", "Maëlys", "Anaïs", "Jérôme",
    ]

    static let family: [String] = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
        "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
        "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
        "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
        "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand",
        "Dufour", "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
        "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal",
        "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix", "Fabre", "Dupuis",
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Johnson", "Roberts",
        "Wright", "Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
        "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King",
        "Miller", "Davis", "Rodriguez", "Anderson", "Marsh", "Marshall", "Mason", "Marks", "Marlow", "Markham",
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
        "González", "Rodríguez", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Díaz", "Moreno",
        "Wang", "Zhang", "Chen", "Liu", "Yamamoto", "Tanaka", "Suzuki", "Kim", "Park", "Lee",
        "Patel", "Singh", "Kumar", "Sharma", "Khan", "Haddad", "Benali", "Mansouri", "Saidi", "Amrani",
        "Kowalski", "Nowak", "Wiśniewski", "Ivanov", "Petrov", "Novák", "Horváth", "Jansen", "De Vries", "Van Dijk",
    ]

    /// The names as they appear in user IDs: accents removed, lowercase, spaces and apostrophes dropped.
    static let givenIDs = given.map(idPart)
    static let familyIDs = family.map(idPart)

    private static func idPart(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased().filter { $0.isASCII && ($0.isLetter || $0 == "-") }
    }

    /// The providers of alternate (personal) email addresses.
    static let personalDomains = ["gmail.com", "outlook.com", "orange.fr", "free.fr", "yahoo.co.uk", "proton.me", "icloud.com", "laposte.net"]
    static let departments = ["Sales", "Engineering", "Finance", "HR", "Support", "Marketing", "Legal", "Operations"]
}
