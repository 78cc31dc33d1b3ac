"""Small hand-written tables the generator draws from (Faker is not a dependency).

Cities carry real ZIP codes and the area codes that serve them, so an address, its ZIP and the
policyholder's phone number agree. The state weights give a realistic US personal-lines mix with
Texas, California, Florida and New York the largest books.
"""

from __future__ import annotations

from dataclasses import dataclass

INSURER_NAME = "Harbor Mutual Insurance Company"
# Fictional NAIC company code (real codes are assigned by the NAIC; this one is ours).
INSURER_NAIC_CODE = "29912"
CLAIMS_PHONE = "+18005550199"


@dataclass(frozen=True)
class City:
    name: str
    state: str
    zips: tuple[str, ...]
    area_codes: tuple[str, ...]


def _cities(state: str, rows: list[tuple[str, str, str]]) -> list[City]:
    return [City(name, state, tuple(zips.split()), tuple(acs.split())) for name, zips, acs in rows]


CITIES: tuple[City, ...] = tuple(
    _cities(
        "TX",
        [
            ("Austin", "78701 78704 78745 78750 78757", "512 737"),
            ("Houston", "77002 77007 77019 77057 77098", "713 281 832 346"),
            ("Dallas", "75201 75206 75214 75230", "214 469 972 945"),
            ("San Antonio", "78205 78209 78230 78249", "210 726"),
            ("Fort Worth", "76102 76107 76116", "817 682"),
            ("El Paso", "79902 79912", "915"),
            ("Lubbock", "79401 79424", "806"),
            ("Waco", "76701 76710", "254"),
            ("Corpus Christi", "78401 78412", "361"),
            ("McAllen", "78501 78504", "956"),
            ("Tyler", "75701 75703", "903 430"),
            ("Beaumont", "77701 77706", "409"),
            ("College Station", "77840 77845", "979"),
            ("Midland", "79701 79705", "432"),
            ("Abilene", "79601 79606", "325"),
            ("Denton", "76201 76205", "940"),
            ("Conroe", "77301 77304", "936"),
            ("New Braunfels", "78130 78132", "830"),
        ],
    )
    + _cities(
        "CA",
        [
            ("Los Angeles", "90012 90026 90034 90045", "213 323 310 424"),
            ("San Francisco", "94103 94110 94117", "415 628"),
            ("San Diego", "92101 92103 92117", "619 858"),
            ("San Jose", "95112 95125", "408 669"),
            ("Sacramento", "95814 95819", "916 279"),
            ("Oakland", "94607 94610", "510 341"),
            ("Fresno", "93701 93722", "559"),
            ("Long Beach", "90802 90815", "562"),
            ("Anaheim", "92801 92805", "714 657"),
            ("Riverside", "92501 92506", "951"),
            ("Bakersfield", "93301 93309", "661"),
            ("Santa Barbara", "93101 93105", "805 820"),
            ("Pasadena", "91101 91106", "626"),
            ("Burbank", "91502 91505", "818 747"),
            ("Stockton", "95202 95207", "209 350"),
            ("Santa Rosa", "95401 95404", "707"),
            ("Palm Springs", "92262 92264", "760 442"),
            ("Redding", "96001 96003", "530"),
            ("Irvine", "92602 92614", "949"),
            ("San Bernardino", "92401 92404", "909 840"),
            ("Salinas", "93901 93906", "831"),
            ("Walnut Creek", "94596 94598", "925"),
            ("Palo Alto", "94301 94306", "650"),
        ],
    )
    + _cities(
        "FL",
        [
            ("Miami", "33130 33133 33145", "305 786"),
            ("Orlando", "32801 32803 32806", "407 689"),
            ("Tampa", "33602 33606 33611", "813 656"),
            ("Jacksonville", "32202 32207 32257", "904"),
            ("Tallahassee", "32301 32308", "850 448"),
            ("Fort Lauderdale", "33301 33308", "954 754"),
            ("West Palm Beach", "33401 33405", "561"),
            ("St. Petersburg", "33701 33704", "727"),
            ("Gainesville", "32601 32605", "352"),
            ("Sarasota", "34236 34239", "941"),
            ("Fort Myers", "33901 33907", "239"),
            ("Melbourne", "32901 32935", "321"),
            ("Daytona Beach", "32114 32118", "386"),
            ("Lakeland", "33801 33803", "863"),
            ("Port St. Lucie", "34952 34953", "772"),
        ],
    )
    + _cities(
        "NY",
        [
            ("Brooklyn", "11201 11215 11238 11209", "718 347 929"),
            ("New York", "10001 10011 10025 10128", "212 646 332 917"),
            ("Astoria", "11102 11105", "718 347"),
            ("Buffalo", "14201 14216", "716"),
            ("Rochester", "14604 14620", "585"),
            ("Syracuse", "13202 13210", "315 680"),
            ("Albany", "12203 12208", "518 838"),
            ("Yonkers", "10701 10705", "914"),
            ("Hempstead", "11550 11552", "516 363"),
            ("Huntington", "11743 11746", "631 934"),
            ("Poughkeepsie", "12601 12603", "845"),
            ("Binghamton", "13901 13905", "607"),
        ],
    )
    + _cities(
        "GA",
        [
            ("Atlanta", "30303 30306 30318", "404 470 678"),
            ("Marietta", "30060 30064", "770 678"),
            ("Savannah", "31401 31405", "912"),
            ("Augusta", "30901 30907", "706 762"),
            ("Macon", "31201 31204", "478"),
            ("Albany", "31701 31707", "229"),
        ],
    )
    + _cities(
        "NC",
        [
            ("Charlotte", "28202 28203 28205 28210", "704 980"),
            ("Raleigh", "27601 27609", "919 984"),
            ("Greensboro", "27401 27408", "336 743"),
            ("Asheville", "28801 28806", "828"),
            ("Wilmington", "28401 28403", "910 472"),
            ("Greenville", "27834 27858", "252"),
        ],
    )
    + _cities(
        "OH",
        [
            ("Columbus", "43215 43201 43214", "614 380"),
            ("Cleveland", "44113 44102", "216"),
            ("Akron", "44308 44313", "330 234"),
            ("Cincinnati", "45202 45208", "513 283"),
            ("Toledo", "43604 43614", "419 567"),
            ("Dayton", "45402 45419", "937 326"),
            ("Zanesville", "43701", "740 220"),
            ("Lorain", "44052 44053", "440"),
        ],
    )
    + _cities(
        "IL",
        [
            ("Chicago", "60601 60614 60622 60657", "312 773 872"),
            ("Evanston", "60201 60202", "847 224"),
            ("Naperville", "60540 60565", "630 331"),
            ("Springfield", "62701 62704", "217 447"),
            ("Peoria", "61602 61614", "309"),
            ("Rockford", "61101 61107", "815 779"),
            ("Oak Park", "60302 60304", "708 464"),
            ("Belleville", "62220 62221", "618 730"),
        ],
    )
    + _cities(
        "PA",
        [
            ("Philadelphia", "19103 19107 19147", "215 267 445"),
            ("Pittsburgh", "15213 15222", "412 878"),
            ("Allentown", "18101 18104", "610 484 835"),
            ("Harrisburg", "17101 17110", "717 223"),
            ("Erie", "16501 16505", "814 582"),
            ("Scranton", "18503 18505", "570 272"),
            ("Greensburg", "15601", "724"),
        ],
    )
    + _cities(
        "WA",
        [
            ("Seattle", "98101 98109 98115", "206 564"),
            ("Tacoma", "98402 98406", "253"),
            ("Spokane", "99201 99203", "509"),
            ("Bellevue", "98004 98006", "425"),
            ("Olympia", "98501 98502", "360"),
        ],
    )
    + _cities(
        "AZ",
        [
            ("Phoenix", "85004 85016 85018", "602 480 623"),
            ("Mesa", "85201 85203", "480"),
            ("Tucson", "85701 85719", "520"),
            ("Flagstaff", "86001 86004", "928"),
            ("Glendale", "85301 85308", "623"),
        ],
    )
    + _cities(
        "MI",
        [
            ("Detroit", "48201 48226", "313"),
            ("Ann Arbor", "48104 48105", "734"),
            ("Grand Rapids", "49503 49506", "616"),
            ("Lansing", "48933 48912", "517"),
            ("Troy", "48084 48098", "248 947"),
            ("Flint", "48502 48503", "810"),
            ("Kalamazoo", "49007 49008", "269"),
            ("Traverse City", "49684 49686", "231"),
            ("Saginaw", "48601 48603", "989"),
            ("Warren", "48089 48092", "586"),
        ],
    )
    + _cities(
        "CO",
        [
            ("Denver", "80202 80206 80218", "303 720 983"),
            ("Colorado Springs", "80903 80907", "719"),
            ("Boulder", "80302 80304", "303 720"),
            ("Fort Collins", "80521 80525", "970"),
        ],
    )
    + _cities(
        "TN",
        [
            ("Nashville", "37203 37206", "615 629"),
            ("Memphis", "38103 38104", "901"),
            ("Knoxville", "37902 37919", "865"),
            ("Chattanooga", "37402 37405", "423"),
            ("Jackson", "38301 38305", "731"),
            ("Clarksville", "37040 37043", "931"),
        ],
    )
    + _cities(
        "VA",
        [
            ("Richmond", "23219 23220", "804"),
            ("Arlington", "22201 22204", "703 571"),
            ("Virginia Beach", "23451 23454", "757 948"),
            ("Roanoke", "24011 24014", "540"),
            ("Charlottesville", "22902 22903", "434"),
        ],
    )
    + _cities(
        "NJ",
        [
            ("Newark", "07102 07104", "973 862"),
            ("Jersey City", "07302 07306", "201 551"),
            ("Trenton", "08608 08611", "609 640"),
            ("Edison", "08817 08820", "732 848"),
            ("Cherry Hill", "08002 08003", "856"),
            ("Elizabeth", "07201 07202", "908"),
        ],
    )
    + _cities(
        "MA",
        [
            ("Boston", "02108 02116 02130", "617 857"),
            ("Worcester", "01608 01609", "508 774"),
            ("Springfield", "01103 01108", "413"),
            ("Lowell", "01852 01854", "978 351"),
            ("Braintree", "02184", "781 339"),
        ],
    )
    + _cities(
        "MN",
        [
            ("Minneapolis", "55401 55408", "612"),
            ("St. Paul", "55102 55105", "651"),
            ("Duluth", "55802 55803", "218"),
            ("Rochester", "55901 55902", "507"),
            ("Bloomington", "55420 55431", "952"),
            ("Maple Grove", "55311 55369", "763"),
        ],
    )
    + _cities(
        "OR",
        [
            ("Portland", "97201 97214 97215", "503 971"),
            ("Eugene", "97401 97405", "541 458"),
            ("Salem", "97301 97302", "503 971"),
            ("Bend", "97701 97702", "541 458"),
        ],
    )
    + _cities(
        "WI",
        [
            ("Milwaukee", "53202 53211", "414"),
            ("Madison", "53703 53705", "608"),
            ("Green Bay", "54301 54304", "920 274"),
            ("Eau Claire", "54701 54703", "715 534"),
            ("Waukesha", "53186 53188", "262"),
        ],
    )
    + _cities(
        "MO",
        [
            ("St. Louis", "63101 63110", "314 557"),
            ("Kansas City", "64105 64111", "816"),
            ("Springfield", "65806 65804", "417"),
            ("Columbia", "65201 65203", "573"),
            ("St. Charles", "63301 63303", "636"),
        ],
    )
    + _cities(
        "IN",
        [
            ("Indianapolis", "46204 46220", "317 463"),
            ("Fort Wayne", "46802 46804", "260"),
            ("Bloomington", "47401 47404", "812 930"),
            ("Gary", "46402 46408", "219"),
            ("South Bend", "46601 46614", "574"),
            ("Lafayette", "47901 47905", "765"),
        ],
    )
    + _cities(
        "SC",
        [
            ("Columbia", "29201 29205", "803 839"),
            ("Charleston", "29401 29407", "843 854"),
            ("Greenville", "29601 29607", "864"),
        ],
    )
)

# Share of the book by state (percent). Large personal-lines states first.
STATE_WEIGHTS: dict[str, int] = {
    "TX": 14,
    "CA": 12,
    "FL": 9,
    "NY": 8,
    "GA": 5,
    "NC": 5,
    "OH": 5,
    "IL": 5,
    "PA": 5,
    "WA": 4,
    "AZ": 4,
    "MI": 4,
    "CO": 3,
    "TN": 3,
    "VA": 3,
    "NJ": 3,
    "MA": 2,
    "MN": 2,
    "OR": 2,
    "WI": 2,
    "MO": 2,
    "IN": 2,
    "SC": 2,
}

# States where personal injury protection (no-fault) replaces medical payments on auto.
PIP_STATES = frozenset({"FL", "NY", "MI", "NJ", "PA", "MN", "MA", "OR", "TX", "WA"})
# States where home policies carry a percentage windstorm/hail deductible (coastal or hail belt).
PERCENT_WIND_STATES = frozenset({"TX", "FL", "NC", "SC", "GA", "NY", "CO", "MN", "MO", "VA"})

FIRST_NAMES_F = (
    "Olivia Emma Ava Sophia Isabella Mia Charlotte Amelia Harper Evelyn Abigail Emily Elizabeth "
    "Sofia Avery Ella Scarlett Grace Chloe Victoria Riley Aria Lily Aubrey Zoey Penelope Layla "
    "Nora Camila Hannah Addison Eleanor Stella Natalie Leah Hazel Violet Aurora Savannah Audrey "
    "Brooklyn Bella Claire Lucy Anna Samantha Caroline Maya Valentina Ximena Guadalupe Lucia "
    "Mariana Daniela Fatima Aisha Mei Ling Ananya Deepa Keiko Yuki Nkechi Amara Ingrid Siobhan "
    "Rosa Teresa Patricia Linda Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Margaret "
    "Sandra Ashley Kimberly Donna Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca "
    "Laura Sharon Cynthia Kathleen Amy Angela Shirley Brenda Pamela Nicole Katherine Christine"
).split()
FIRST_NAMES_M = (
    "Liam Noah Oliver Elijah James William Benjamin Lucas Henry Alexander Mason Michael Ethan "
    "Daniel Jacob Logan Jackson Levi Sebastian Mateo Jack Owen Theodore Aiden Samuel Joseph John "
    "David Wyatt Matthew Luke Asher Carter Julian Grayson Leo Jayden Gabriel Isaac Lincoln "
    "Anthony Hudson Dylan Ezra Thomas Charles Christopher Jaxon Maverick Josiah Santiago Diego "
    "Alejandro Carlos Luis Javier Miguel Rafael Omar Hassan Tariq Wei Hiroshi Kenji Raj Arjun "
    "Vikram Chidi Kwame Tomasz Piotr Lars Sean Patrick Robert Richard Charles Steven Paul Mark "
    "Donald George Kenneth Andrew Joshua Kevin Brian Edward Ronald Timothy Jason Jeffrey Ryan "
    "Gary Nicholas Eric Stephen Jonathan Larry Justin Scott Brandon Frank Gregory Raymond"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt "
    "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer "
    "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
    "Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight "
    "Okafor Mensah Kowalski Novak Yamamoto Tanaka Sato Singh Sharma Gupta Iyer Kaur Haddad Khan"
).split()

STREET_NAMES = (
    "Oak Maple Cedar Pine Elm Walnut Willow Birch Hickory Magnolia Sycamore Chestnut Juniper "
    "Aspen Laurel Park Lake Hill River Spring Meadow Ridge Valley Forest Sunset Highland Mill "
    "Church Main Washington Lincoln Jefferson Madison Franklin Jackson Adams Monroe Grant Center "
    "Market Union Prospect Bridge School College Harbor Bay Shore Orchard Garden Vine Cherry "
    "Dogwood Holly Cypress Mesa Canyon Prairie Summit Fairview Woodland Lakeview Riverside"
).split()
STREET_SUFFIXES = ("St", "Ave", "Blvd", "Dr", "Ln", "Rd", "Ct", "Way", "Pl", "Ter", "Pkwy", "Cir")

# make, model, world manufacturer identifier, first model year, share weight
VEHICLE_MODELS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Toyota", "Camry", "4T1", 2005, 8),
    ("Toyota", "RAV4", "2T3", 2005, 9),
    ("Toyota", "Corolla", "5YF", 2005, 6),
    ("Toyota", "Tacoma", "3TM", 2005, 5),
    ("Toyota", "Highlander", "5TD", 2008, 4),
    ("Honda", "Civic", "2HG", 2005, 7),
    ("Honda", "Accord", "1HG", 2005, 6),
    ("Honda", "CR-V", "5J6", 2005, 8),
    ("Honda", "Pilot", "5FN", 2009, 3),
    ("Ford", "F-150", "1FT", 2005, 10),
    ("Ford", "Escape", "1FM", 2008, 5),
    ("Ford", "Explorer", "1FM", 2011, 4),
    ("Chevrolet", "Silverado 1500", "1GC", 2005, 8),
    ("Chevrolet", "Equinox", "2GN", 2010, 5),
    ("Chevrolet", "Malibu", "1G1", 2008, 3),
    ("Nissan", "Altima", "1N4", 2007, 4),
    ("Nissan", "Rogue", "5N1", 2008, 5),
    ("Subaru", "Outback", "4S4", 2010, 4),
    ("Subaru", "Forester", "JF2", 2009, 4),
    ("Hyundai", "Elantra", "5NP", 2011, 4),
    ("Hyundai", "Tucson", "KM8", 2010, 4),
    ("Kia", "Sorento", "5XY", 2011, 3),
    ("Jeep", "Grand Cherokee", "1C4", 2011, 4),
    ("Jeep", "Wrangler", "1C4", 2007, 3),
    ("Ram", "1500", "1C6", 2011, 5),
    ("GMC", "Sierra 1500", "1GT", 2007, 3),
    ("Mazda", "CX-5", "JM3", 2013, 3),
    ("Volkswagen", "Jetta", "3VW", 2006, 2),
    ("Tesla", "Model 3", "5YJ", 2018, 3),
    ("Tesla", "Model Y", "7SA", 2020, 3),
    ("BMW", "X3", "5UX", 2011, 2),
    ("Dodge", "Charger", "2C3", 2006, 2),
)

LIENHOLDERS: dict[str, tuple[str, str]] = {
    "Toyota": ("Toyota Motor Credit Corp", "PO Box 105386, Atlanta, GA 30348"),
    "Honda": ("American Honda Finance Corp", "PO Box 105027, Atlanta, GA 30348"),
    "Ford": ("Ford Motor Credit Company LLC", "PO Box 105704, Atlanta, GA 30348"),
    "Chevrolet": ("GM Financial", "PO Box 78143, Phoenix, AZ 85062"),
    "GMC": ("GM Financial", "PO Box 78143, Phoenix, AZ 85062"),
    "Nissan": ("Nissan Motor Acceptance Company LLC", "PO Box 660360, Dallas, TX 75266"),
    "Hyundai": ("Hyundai Capital America", "PO Box 20809, Fountain Valley, CA 92728"),
    "Kia": ("Kia Finance America", "PO Box 20835, Fountain Valley, CA 92728"),
    "Subaru": ("Chase Auto Finance", "PO Box 901076, Fort Worth, TX 76101"),
    "Tesla": ("Tesla Finance LLC", "PO Box 15021, Wilmington, DE 19850"),
}
GENERIC_LIENHOLDERS: tuple[tuple[str, str], ...] = (
    ("Ally Financial", "PO Box 380901, Bloomington, MN 55438"),
    ("Capital One Auto Finance", "PO Box 60511, City of Industry, CA 91716"),
    ("Chase Auto Finance", "PO Box 901076, Fort Worth, TX 76101"),
    ("Navy Federal Credit Union", "PO Box 3000, Merrifield, VA 22119"),
    ("Wells Fargo Auto", "PO Box 29704, Phoenix, AZ 85038"),
)

MORTGAGEES: tuple[tuple[str, str], ...] = (
    ("First Carolina Bank ISAOA/ATIMA", "PO Box 7431, Springfield, OH 45501"),
    ("Wells Fargo Bank NA ISAOA/ATIMA", "PO Box 100515, Florence, SC 29502"),
    ("JPMorgan Chase Bank NA ISAOA/ATIMA", "PO Box 47020, Atlanta, GA 30362"),
    ("Rocket Mortgage LLC ISAOA/ATIMA", "PO Box 6577, Springfield, OH 45501"),
    ("U.S. Bank NA ISAOA/ATIMA", "PO Box 7298, Springfield, OH 45501"),
    ("PNC Bank NA ISAOA/ATIMA", "PO Box 7433, Springfield, OH 45501"),
    ("Truist Bank ISAOA/ATIMA", "PO Box 4010, Kalamazoo, MI 49003"),
    ("Lakeview Loan Servicing LLC ISAOA/ATIMA", "PO Box 7076, Troy, MI 48007"),
)

# Independent agencies that write for the (fictional) carrier; phones are fictional 888-555-01XX.
PRODUCERS: tuple[tuple[str, str, str], ...] = (
    ("Lone Star Insurance Group", "901 Congress Ave, Austin, TX 78701", "+18885550110"),
    ("Piedmont Risk Advisors", "400 S Tryon St, Charlotte, NC 28202", "+18885550111"),
    ("Buckeye Family Insurance", "88 E Broad St, Columbus, OH 43215", "+18885550112"),
    ("Cascade Coverage Partners", "1200 Westlake Ave N, Seattle, WA 98109", "+18885550113"),
    ("Five Boroughs Insurance Agency", "210 Joralemon St, Brooklyn, NY 11201", "+18885550114"),
    ("Harbor Mutual Direct", "1 Harbor Plaza, Hartford, CT 06103", "+18885550100"),
    ("Sunshine State Insurance Center", "100 S Orange Ave, Orlando, FL 32801", "+18885550115"),
    ("Golden Gate Insurance Services", "50 California St, San Francisco, CA 94111", "+18885550116"),
    ("Great Lakes Agency Group", "150 W Jefferson Ave, Detroit, MI 48226", "+18885550117"),
    ("Peach State Insurance Partners", "191 Peachtree St NE, Atlanta, GA 30303", "+18885550118"),
)
# The producer each state's policies usually come through (others go direct).
PRODUCER_BY_STATE: dict[str, int] = {
    "TX": 0,
    "NC": 1,
    "SC": 1,
    "OH": 2,
    "WA": 3,
    "OR": 3,
    "NY": 4,
    "NJ": 4,
    "FL": 6,
    "CA": 7,
    "MI": 8,
    "GA": 9,
}

# Claims adjusters: name, phone (fictional 800-555-014X), e-mail.
ADJUSTERS: tuple[tuple[str, str, str], ...] = tuple(
    (name, f"+1800555014{i}", name.lower().replace(" ", ".") + "@example.com")
    for i, name in enumerate(
        (
            "Samuel Greene",
            "Hannah Price",
            "Dana Brooks",
            "Marcus Webb",
            "Alicia Moreno",
            "Kevin Osei",
            "Rachel Kim",
            "Tom Lindqvist",
            "Grace Okafor",
            "Luis Ortega",
        )
    )
)
