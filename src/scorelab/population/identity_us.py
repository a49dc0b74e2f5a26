"""Synthetic US identities: surnames and first names from Census tables; no ID number.

Everything is drawn as columns for a synthetic population; the tables are aggregate
published frequencies, and no real person is represented. Sources (docs/sources.md):

* Surnames: the Census Bureau's 2010 surname table ("Frequently Occurring Surnames in the
  2010 Census", names held by 100 or more people; columns name, rank, count, prop100k,
  cum_prop100k). The top 100 below are its ``prop100k`` / 1,000 (shares in %): 17.32% of
  people together. The top 1,000 hold 40.96% (``cum_prop100k`` at rank 1,000), which anchors
  the synthetic tail (:func:`scorelab.population.names.fitted_tail`).
* First names: the Census Bureau's 1990 first-name tables (``dist.male.first``,
  ``dist.female.first``: share of men or women with the name, in %). The top 100 below hold
  59.53% of men and 43.09% of women; the tables' 1,219 male and 4,275 female names hold
  90.04% and 90.02%, which anchor the tails. They describe the whole population of 1990;
  the Social Security Administration's tables count births by year instead.

Assumptions (no published figure): the tails' labels and their power-law shape beyond the
anchors; first names independent of surname, birth cohort and region.
"""

from __future__ import annotations

#: Top 100 surnames of the 2010 Census with their share of people in % (prop100k / 1,000).
# fmt: off
TOP_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Smith", 0.82819), ("Johnson", 0.65524), ("Williams", 0.55097), ("Brown", 0.48716),
    ("Jones", 0.48324), ("Garcia", 0.39532), ("Miller", 0.39374), ("Davis", 0.37845),
    ("Rodriguez", 0.37119), ("Martinez", 0.3594), ("Hernandez", 0.35368), ("Lopez", 0.29647),
    ("Gonzalez", 0.28511), ("Wilson", 0.27184), ("Anderson", 0.26592), ("Thomas", 0.25634),
    ("Taylor", 0.25467), ("Moore", 0.24557), ("Jackson", 0.24005), ("Martin", 0.23819),
    ("Lee", 0.23494), ("Perez", 0.23108), ("Thompson", 0.22532), ("White", 0.22391),
    ("Harris", 0.21163), ("Sanchez", 0.20773), ("Clark", 0.19075), ("Ramirez", 0.18897),
    ("Lewis", 0.18028), ("Robinson", 0.17961), ("Walker", 0.17734), ("Young", 0.16423),
    ("Allen", 0.16361), ("King", 0.15778), ("Wright", 0.1556), ("Scott", 0.149),
    ("Torres", 0.14842), ("Nguyen", 0.14836), ("Hill", 0.14741), ("Flores", 0.14712),
    ("Green", 0.14583), ("Adams", 0.14505), ("Nelson", 0.14406), ("Baker", 0.14224),
    ("Hall", 0.138), ("Rivera", 0.13259), ("Campbell", 0.13091), ("Mitchell", 0.13034),
    ("Carter", 0.12779), ("Roberts", 0.12773), ("Gomez", 0.12396), ("Phillips", 0.12231),
    ("Evans", 0.12055), ("Turner", 0.11819), ("Diaz", 0.11785), ("Parker", 0.11398),
    ("Cruz", 0.1133), ("Edwards", 0.11269), ("Collins", 0.11179), ("Reyes", 0.11116),
    ("Stewart", 0.11016), ("Morris", 0.1081), ("Morales", 0.10569), ("Murphy", 0.10456),
    ("Cook", 0.10258), ("Rogers", 0.10247), ("Gutierrez", 0.0994), ("Ortiz", 0.09726),
    ("Morgan", 0.09705), ("Cooper", 0.09519), ("Peterson", 0.09434), ("Bailey", 0.09419),
    ("Reed", 0.09392), ("Kelly", 0.09065), ("Howard", 0.08978), ("Ramos", 0.08932),
    ("Kim", 0.08894), ("Cox", 0.08856), ("Ward", 0.0883), ("Richardson", 0.08807),
    ("Watson", 0.08563), ("Brooks", 0.08532), ("Chavez", 0.08506), ("Wood", 0.08499),
    ("James", 0.08454), ("Bennett", 0.08394), ("Gray", 0.08344), ("Mendoza", 0.0823),
    ("Ruiz", 0.08076), ("Hughes", 0.0801), ("Price", 0.07975), ("Alvarez", 0.07932),
    ("Castillo", 0.07811), ("Sanders", 0.0781), ("Patel", 0.07796), ("Myers", 0.07794),
    ("Long", 0.07776), ("Ross", 0.07776), ("Foster", 0.07721), ("Jimenez", 0.07699),
)
# fmt: on

#: Share of people holding one of the top 1,000 surnames, % (2010 Census cum_prop100k).
TOP_1000_SURNAMES_SHARE = 40.95651

#: Top 100 first names of men in the 1990 Census, share of men in %.
# fmt: off
TOP_MALE_FIRST: tuple[tuple[str, float], ...] = (
    ("James", 3.318), ("John", 3.271), ("Robert", 3.143), ("Michael", 2.629), ("William", 2.451),
    ("David", 2.363), ("Richard", 1.703), ("Charles", 1.523), ("Joseph", 1.404), ("Thomas", 1.38),
    ("Christopher", 1.035), ("Daniel", 0.974), ("Paul", 0.948), ("Mark", 0.938), ("Donald", 0.931),
    ("George", 0.927), ("Kenneth", 0.826), ("Steven", 0.78), ("Edward", 0.779), ("Brian", 0.736),
    ("Ronald", 0.725), ("Anthony", 0.721), ("Kevin", 0.671), ("Jason", 0.66), ("Matthew", 0.657),
    ("Gary", 0.65), ("Timothy", 0.64), ("Jose", 0.613), ("Larry", 0.598), ("Jeffrey", 0.591),
    ("Frank", 0.581), ("Scott", 0.546), ("Eric", 0.544), ("Stephen", 0.54), ("Andrew", 0.537),
    ("Raymond", 0.488), ("Gregory", 0.441), ("Joshua", 0.435), ("Jerry", 0.432), ("Dennis", 0.415),
    ("Walter", 0.399), ("Patrick", 0.389), ("Peter", 0.381), ("Harold", 0.371), ("Douglas", 0.367),
    ("Henry", 0.365), ("Carl", 0.346), ("Arthur", 0.335), ("Ryan", 0.328), ("Roger", 0.322),
    ("Joe", 0.321), ("Juan", 0.316), ("Jack", 0.315), ("Albert", 0.314), ("Jonathan", 0.313),
    ("Justin", 0.311), ("Terry", 0.311), ("Gerald", 0.309), ("Keith", 0.308), ("Samuel", 0.306),
    ("Willie", 0.302), ("Ralph", 0.282), ("Lawrence", 0.282), ("Nicholas", 0.275), ("Roy", 0.273),
    ("Benjamin", 0.27), ("Bruce", 0.263), ("Brandon", 0.26), ("Adam", 0.259), ("Harry", 0.251),
    ("Fred", 0.251), ("Wayne", 0.249), ("Billy", 0.248), ("Steve", 0.246), ("Louis", 0.243),
    ("Jeremy", 0.242), ("Aaron", 0.24), ("Randy", 0.232), ("Howard", 0.23), ("Eugene", 0.23),
    ("Carlos", 0.229), ("Russell", 0.224), ("Bobby", 0.223), ("Victor", 0.222), ("Martin", 0.216),
    ("Ernest", 0.215), ("Phillip", 0.213), ("Todd", 0.213), ("Jesse", 0.209), ("Craig", 0.206),
    ("Alan", 0.204), ("Shawn", 0.2), ("Clarence", 0.197), ("Sean", 0.197), ("Philip", 0.197),
    ("Chris", 0.197), ("Johnny", 0.195), ("Earl", 0.193), ("Jimmy", 0.191), ("Antonio", 0.19),
)
# fmt: on

#: Top 100 first names of women in the 1990 Census, share of women in %.
# fmt: off
TOP_FEMALE_FIRST: tuple[tuple[str, float], ...] = (
    ("Mary", 2.629), ("Patricia", 1.073), ("Linda", 1.035), ("Barbara", 0.98),
    ("Elizabeth", 0.937), ("Jennifer", 0.932), ("Maria", 0.828), ("Susan", 0.794),
    ("Margaret", 0.768), ("Dorothy", 0.727), ("Lisa", 0.704), ("Nancy", 0.669), ("Karen", 0.667),
    ("Betty", 0.666), ("Helen", 0.663), ("Sandra", 0.629), ("Donna", 0.583), ("Carol", 0.565),
    ("Ruth", 0.562), ("Sharon", 0.522), ("Michelle", 0.519), ("Laura", 0.51), ("Sarah", 0.508),
    ("Kimberly", 0.504), ("Deborah", 0.494), ("Jessica", 0.49), ("Shirley", 0.482),
    ("Cynthia", 0.469), ("Angela", 0.468), ("Melissa", 0.462), ("Brenda", 0.455), ("Amy", 0.451),
    ("Anna", 0.44), ("Rebecca", 0.43), ("Virginia", 0.43), ("Kathleen", 0.424), ("Pamela", 0.416),
    ("Martha", 0.412), ("Debra", 0.408), ("Amanda", 0.404), ("Stephanie", 0.4), ("Carolyn", 0.385),
    ("Christine", 0.382), ("Marie", 0.379), ("Janet", 0.379), ("Catherine", 0.373),
    ("Frances", 0.37), ("Ann", 0.364), ("Joyce", 0.364), ("Diane", 0.359), ("Alice", 0.357),
    ("Julie", 0.348), ("Heather", 0.337), ("Teresa", 0.336), ("Doris", 0.335), ("Gloria", 0.335),
    ("Evelyn", 0.322), ("Jean", 0.315), ("Cheryl", 0.315), ("Mildred", 0.313),
    ("Katherine", 0.313), ("Joan", 0.306), ("Ashley", 0.303), ("Judith", 0.297), ("Rose", 0.296),
    ("Janice", 0.285), ("Kelly", 0.283), ("Nicole", 0.281), ("Judy", 0.276), ("Christina", 0.275),
    ("Kathy", 0.272), ("Theresa", 0.271), ("Beverly", 0.267), ("Denise", 0.264), ("Tammy", 0.259),
    ("Irene", 0.252), ("Jane", 0.25), ("Lori", 0.248), ("Rachel", 0.242), ("Marilyn", 0.241),
    ("Andrea", 0.236), ("Kathryn", 0.234), ("Louise", 0.229), ("Sara", 0.229), ("Anne", 0.228),
    ("Jacqueline", 0.228), ("Wanda", 0.226), ("Bonnie", 0.223), ("Julia", 0.223), ("Ruby", 0.221),
    ("Lois", 0.22), ("Tina", 0.22), ("Phyllis", 0.219), ("Norma", 0.218), ("Paula", 0.217),
    ("Diana", 0.216), ("Annie", 0.216), ("Lillian", 0.211), ("Emily", 0.208), ("Robin", 0.208),
)
# fmt: on

#: the 1990 tables' lengths and the shares they hold, % (their last cumulative figure)
MALE_FIRST_LISTED, MALE_FIRST_LISTED_SHARE = 1219, 90.040
FEMALE_FIRST_LISTED, FEMALE_FIRST_LISTED_SHARE = 4275, 90.024
