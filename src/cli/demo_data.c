/* The demo network's data. Everything here is fictional: the organizations,
 * the people (names are drawn from pools of common Khmer names), the phone
 * numbers (012 000 xxx, a block used for nothing but this demo) and the
 * stories. Places are real gazetteer codes (data/kh_admin_units.csv). */
#include "cli/demo.h"

#define countof(a) (sizeof(a) / sizeof((a)[0]))

const struct demo_org_row demo_orgs[DEMO_ORG__MAX] = {
    [DEMO_ORG_NGO] = {DEMO_ORG_NGO, "Lotus Path Women's Support Centre", "ngo", "171001"},
    [DEMO_ORG_COUNSEL] = {DEMO_ORG_COUNSEL, "Banyan Tree Counselling Service", "provider",
                          "171002"},
    [DEMO_ORG_LEGAL] = {DEMO_ORG_LEGAL, "Riverside Legal Aid Clinic", "provider", "171009"},
    [DEMO_ORG_SHELTER] = {DEMO_ORG_SHELTER, "Safe Roof Women's Shelter", "provider", "171004"},
    [DEMO_ORG_HEALTH] = {DEMO_ORG_HEALTH, "Sunrise Community Clinic", "provider", "170710"},
    [DEMO_ORG_POLICE] = {DEMO_ORG_POLICE, "Police Liaison Desk (fictional)", "provider", "171005"},
};

const struct demo_service demo_services[] = {
    {DEMO_ORG_COUNSEL,
     "psychosocial",
     "Counselling for women and girls",
     "171002",
     "012 000 901",
     "Mon-Sat 08:00-17:00",
     {"km", "en", NULL},
     {"17", NULL, NULL}},
    {DEMO_ORG_COUNSEL,
     "psychosocial",
     "Mobile counselling, Kralanh (Tuesdays)",
     "170603",
     "012 000 901",
     "Tue 08:00-16:00",
     {"km", NULL, NULL},
     {"1706", NULL, NULL}},
    {DEMO_ORG_LEGAL,
     "legal",
     "Legal consultation and court accompaniment",
     "171009",
     "012 000 902",
     "Mon-Fri 08:00-17:00",
     {"km", "en", NULL},
     {"17", NULL, NULL}},
    {DEMO_ORG_SHELTER,
     "shelter",
     "Emergency shelter for women and their children",
     "171004",
     "012 000 903",
     "24 hours",
     {"km", NULL, NULL},
     {"17", NULL, NULL}},
    {DEMO_ORG_HEALTH,
     "health",
     "Medical examination and care",
     "170710",
     "012 000 904",
     "Mon-Sat 07:00-17:00",
     {"km", NULL, NULL},
     {"1707", NULL, NULL}},
    {DEMO_ORG_POLICE,
     "police",
     "Reports of trafficking and violence",
     "171005",
     "012 000 905",
     "24 hours",
     {"km", NULL, NULL},
     {"1707", "1706", NULL}},
};
const size_t demo_nservices = countof(demo_services);

/* Groups 1-4 in Puok district (1707), 5-8 in Kralanh (1706); group 1 in Puok
 * commune, whose first village is Puok Chas. */
const struct demo_group demo_groups[DEMO_GROUPS] = {
    {"ក្រុមបណ្ដាញឃុំពួក / Puok network group",
     "1707",
     "170710",
     {"17071001", "17071002", "17071003", "17071009", "17071006", NULL}},
    {"ក្រុមបណ្ដាញឃុំរើល / Reul network group",
     "1707",
     "170712",
     {"17071203", "17071201", "17071204", "17071208", NULL}},
    {"ក្រុមបណ្ដាញឃុំដូនកែវ / Doun Kaev network group",
     "1707",
     "170702",
     {"17070204", "17070201", "17070203", "17070209", NULL}},
    {"ក្រុមបណ្ដាញឃុំក្ដីរុន / Kdei Run network group",
     "1707",
     "170703",
     {"17070307", "17070301", "17070303", "17070304", NULL}},
    {"ក្រុមបណ្ដាញឃុំក្រឡាញ់ / Kralanh network group",
     "1706",
     "170603",
     {"17060305", "17060301", "17060303", "17060307", NULL}},
    {"ក្រុមបណ្ដាញឃុំស្នួល / Snuol network group",
     "1706",
     "170608",
     {"17060801", "17060803", "17060805", "17060808", NULL}},
    {"ក្រុមបណ្ដាញឃុំសំបួរ / Sambuor network group",
     "1706",
     "170606",
     {"17060604", "17060601", "17060602", "17060607", NULL}},
    {"ក្រុមបណ្ដាញឃុំតាអាន / Ta An network group",
     "1706",
     "170610",
     {"17061003", "17061001", "17061002", "17061007", NULL}},
};

/* The users, in the order their generated passwords are printed. Group users
 * are NGO users too: the network belongs to the NGO. */
const struct demo_user demo_users[] = {
    {"admin", "admin", DEMO_ORG_NGO, 0, -1, "Demo administrator", "km"},
    {"supervisor", "supervisor", DEMO_ORG_NGO, 0, -1, "Demo supervisor", "km"},
    {"supervisor2", "supervisor", DEMO_ORG_NGO, 0, -1, "Demo supervisor 2", "en"},
    {"caseworker1", "caseworker", DEMO_ORG_NGO, 0, -1, "Demo caseworker 1", "km"},
    {"caseworker2", "caseworker", DEMO_ORG_NGO, 0, -1, "Demo caseworker 2", "km"},
    {"analyst", "analyst", DEMO_ORG_NGO, 0, -1, "Demo analyst", "en"},
    {"counsel", "provider", DEMO_ORG_COUNSEL, 0, -1, "Demo counsellor", "km"},
    {"legal", "provider", DEMO_ORG_LEGAL, 0, -1, "Demo legal officer", "km"},
    {"shelter", "provider", DEMO_ORG_SHELTER, 0, -1, "Demo shelter officer", "km"},
    {"health", "provider", DEMO_ORG_HEALTH, 0, -1, "Demo health officer", "km"},
    {"police", "provider", DEMO_ORG_POLICE, 0, -1, "Demo police liaison", "km"},
    {"rep1", "representative", DEMO_ORG_NGO, 1, 0, NULL, "km"},
    {"rep2", "representative", DEMO_ORG_NGO, 2, 0, NULL, "km"},
    {"rep3", "representative", DEMO_ORG_NGO, 3, 0, NULL, "km"},
    {"rep4", "representative", DEMO_ORG_NGO, 4, 0, NULL, "km"},
    {"rep5", "representative", DEMO_ORG_NGO, 5, 0, NULL, "km"},
    {"rep6", "representative", DEMO_ORG_NGO, 6, 0, NULL, "km"},
    {"rep7", "representative", DEMO_ORG_NGO, 7, 0, NULL, "km"},
    {"rep8", "representative", DEMO_ORG_NGO, 8, 0, NULL, "km"},
    {"member1", "member", DEMO_ORG_NGO, 1, 2, NULL, "km"},
    {"member2", "member", DEMO_ORG_NGO, 2, 2, NULL, "km"},
    {"member3", "member", DEMO_ORG_NGO, 3, 2, NULL, "km"},
    {"member4", "member", DEMO_ORG_NGO, 4, 2, NULL, "km"},
    {"member5", "member", DEMO_ORG_NGO, 5, 2, NULL, "km"},
    {"member6", "member", DEMO_ORG_NGO, 6, 2, NULL, "km"},
    {"member7", "member", DEMO_ORG_NGO, 7, 2, NULL, "km"},
    {"member8", "member", DEMO_ORG_NGO, 8, 2, NULL, "km"},
    /* A member of group 1 with the trainer network role (member 1). */
    {"trainer1", "member", DEMO_ORG_NGO, 1, 1, NULL, "km"},
};
const size_t demo_nusers = countof(demo_users);

/* Common Khmer family names. */
const struct demo_name demo_family_names[] = {
    {"សុខ", "Sok"}, {"ចាន់", "Chan"}, {"ហេង", "Heng"},  {"លី", "Ly"},     {"ស៊ឹម", "Sim"},
    {"គឹម", "Kim"}, {"ញឹម", "Nhem"},  {"ពៅ", "Pov"},    {"មាស", "Meas"}, {"ឈឹម", "Chhim"},
    {"សៅ", "Sao"}, {"ទេព", "Tep"},  {"អ៊ុក", "Ouk"},    {"ជា", "Chea"},  {"ប៉ែន", "Pen"},
    {"យិន", "Yin"}, {"សុន", "Son"},   {"ខៀវ", "Khiev"}, {"ឡុង", "Long"},  {"អ៊ឹម", "Im"},
};
const size_t demo_nfamily_names = countof(demo_family_names);

/* Common women's given names. */
const struct demo_name demo_female_names[] = {
    {"ស្រីមុំ", "Srey Mom"}, {"សុភា", "Sophea"},       {"ចន្ថា", "Chantha"},  {"ដារ៉ា", "Dara"},
    {"សុខា", "Sokha"},    {"ស្រីនាង", "Srey Neang"}, {"ធីតា", "Thida"},     {"ចាន់ថន", "Chanthon"},
    {"រតនា", "Rattana"}, {"សុភាព", "Sopheap"},     {"ស្រីពៅ", "Srey Pov"}, {"បុប្ផា", "Bopha"},
    {"ចរិយា", "Chariya"}, {"ម៉ាលី", "Maly"},         {"សុវណ្ណា", "Sovanna"}, {"វណ្ណា", "Vanna"},
    {"ពិសី", "Pisey"},     {"គន្ធា", "Kunthea"},     {"ស្រីអូន", "Srey Oun"}, {"លីដា", "Lida"},
    {"ណារី", "Nary"},     {"មករា", "Makara"},      {"កញ្ញា", "Kanha"},    {"ស្រីនី", "Srey Ny"},
    {"សុផល", "Sophal"},   {"ស្រីលក្ខណ៍", "Srey Leak"}, {"ចាន់ធូ", "Chanthou"}, {"សុជាតា", "Socheata"},
    {"រ៉ានី", "Rany"},     {"សុខលី", "Sokly"},        {"ធារី", "Theary"},    {"វិច្ឆិកា", "Vichheka"},
};
const size_t demo_nfemale_names = countof(demo_female_names);

/* Common men's given names. */
const struct demo_name demo_male_names[] = {
    {"សំណាង", "Samnang"}, {"វិចិត្រ", "Vichet"}, {"ពិសិដ្ឋ", "Piseth"},  {"រិទ្ធី", "Rithy"},
    {"វុទ្ធី", "Vuthy"},    {"បូរ៉ា", "Bora"},    {"ភក្ដី", "Pheakdey"},
};
const size_t demo_nmale_names = countof(demo_male_names);

/* The kinds of concern the demo cases are drawn from. Three summaries are in
 * Khmer: "her husband beats her often and she asks for help"; "a daughter
 * went to work in Thailand and the family lost contact over two months
 * ago"; "a broker promises work in Malaysia but there is no contract". */
const struct demo_case_kind demo_case_kinds[] = {
    {.concerns = {"trafficking", "unsafe_migration", NULL},
     .summary =
         "Her daughter went to Thailand with a broker two months ago; the family has had no news "
         "since, and the broker now asks them for more money.",
     .sex = "female",
     .age_min = 17,
     .age_max = 24,
     .urgent_every = 3},
    {.concerns = {"forced_labour", "trafficking", NULL},
     .summary =
         "Works on a fishing boat out of Thailand. He called his family once to say his documents "
         "were taken and he is not allowed ashore.",
     .sex = "male",
     .age_min = 25,
     .age_max = 40,
     .urgent_every = 2},
    {.concerns = {"unsafe_migration", NULL},
     .summary =
         "Plans to leave for Malaysia next month with a broker who promises factory work; there is "
         "no written contract and the fees are to be paid with a loan.",
     .sex = "female",
     .age_min = 19,
     .age_max = 30,
     .urgent_every = 0},
    {.concerns = {"domestic_violence", NULL},
     .summary =
         "Her husband beats her when he drinks. She is staying with her mother for now and asks "
         "for advice.",
     .sex = "female",
     .age_min = 25,
     .age_max = 45,
     .urgent_every = 3},
    {.concerns = {"labour_exploitation", NULL},
     .summary =
         "Came back from a factory job in Malaysia; her wages for the last four months were never "
         "paid.",
     .sex = "female",
     .age_min = 22,
     .age_max = 35,
     .urgent_every = 0},
    {.concerns = {"domestic_violence", NULL},
     .summary = "ប្ដីវាយនាងញឹកញាប់ ហើយនាងសុំជំនួយ។",
     .sex = "female",
     .age_min = 20,
     .age_max = 50,
     .urgent_every = 0},
    {.concerns = {"trafficking", NULL},
     .summary = "កូនស្រីទៅធ្វើការនៅថៃ ហើយបាត់ទំនាក់ទំនងជាងពីរខែហើយ។",
     .sex = "female",
     .age_min = 16,
     .age_max = 25,
     .urgent_every = 2},
    {.concerns = {"unsafe_migration", NULL},
     .summary = "មេខ្យល់សន្យាការងារនៅម៉ាឡេស៊ី ប៉ុន្តែគ្មានកិច្ចសន្យាទេ។",
     .sex = "female",
     .age_min = 18,
     .age_max = 30,
     .urgent_every = 0},
    {.concerns = {"child_at_risk", "unsafe_migration", NULL},
     .summary =
         "A girl of about fifteen has left school; a recruiter from another village wants to take "
         "her to work in a restaurant across the border.",
     .sex = "female",
     .age_min = 14,
     .age_max = 16,
     .urgent_every = 1},
    {.concerns = {"sexual_violence", NULL},
     .summary =
         "A young woman says a man attacked her on her way home from the market. She has not seen "
         "a doctor yet.",
     .sex = "female",
     .age_min = 18,
     .age_max = 30,
     .urgent_every = 2},
    {.concerns = {"forced_labour", "labour_exploitation", NULL},
     .summary =
         "Back from construction work in Thailand. The employer kept her passport and she worked "
         "long hours to repay a debt for the trip.",
     .sex = "female",
     .age_min = 25,
     .age_max = 40,
     .urgent_every = 0},
    {.concerns = {"other_violence", NULL},
     .summary =
         "An older woman is threatened by relatives over a land dispute and is afraid to stay "
         "alone.",
     .sex = "female",
     .age_min = 55,
     .age_max = 70,
     .urgent_every = 0},
};
const size_t demo_ncase_kinds = countof(demo_case_kinds);
