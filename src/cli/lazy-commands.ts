import { type Command, Help } from 'commander';

// Each command group is loaded only when the command line names it (issue 14, start): `tocsin --help`
// used to import every group with the schemas and domain modules behind it (~0.5 s of CPU) only to
// print one line per command. Here every top-level command has its help line (the term and
// description commander would print) and the group that registers it; lazy-commands.test.ts checks
// this table against what registerCommands (commands.ts, which still registers everything at once)
// registers, so a command added there and not here fails a test instead of going missing.

type Register = (program: Command) => void;

interface HelpLine {
  name: string;
  /** What `tocsin --help` shows before the description: the name, [options], the arguments. */
  term: string;
  description: string;
}

export interface CommandGroup {
  load(): Promise<Register[]>;
  commands: HelpLine[];
}

export const COMMAND_GROUPS: CommandGroup[] = [
  {
    load: async () => [(await import('./serve.ts')).registerServe],
    commands: [
      {
        name: 'serve',
        term: 'serve [options]',
        description:
          'Run the HTTP API, web console, status page and engine (embedded PostgreSQL unless DATABASE_URL)',
      },
    ],
  },
  {
    load: async () => [(await import('./migrate.ts')).registerMigrate],
    commands: [
      { name: 'migrate', term: 'migrate', description: 'Apply pending database migrations and exit' },
    ],
  },
  {
    load: async () => [(await import('./apply.ts')).registerApply],
    commands: [
      {
        name: 'apply',
        term: 'apply [options]',
        description:
          'Create or update what YAML documents declare (EscalationPolicy, MaintenanceWindow, Plan, Schedule, Service, StatusPage, Team, User), all or nothing, like kubectl apply',
      },
    ],
  },
  {
    load: async () => [(await import('./plan.ts')).registerPlan],
    commands: [
      {
        name: 'plan',
        term: 'plan',
        description: 'Check and read incident response plans (plan files: see docs/plan-reference.md)',
      },
    ],
  },
  {
    load: async () => [(await import('./incident.ts')).registerIncident],
    commands: [{ name: 'incident', term: 'incident', description: 'Declare, inspect and drive incidents' }],
  },
  {
    load: async () => [(await import('./postmortem.ts')).registerPostmortem],
    commands: [
      {
        name: 'postmortem',
        term: 'postmortem',
        description: 'Post-mortems: drafted when an incident resolves, edited, reviewed, published',
      },
    ],
  },
  {
    load: async () => [(await import('./action-item.ts')).registerActionItem],
    commands: [
      {
        name: 'action-item',
        term: 'action-item',
        description: 'Action items after incidents: owner, due date, priority, status, tracker link',
      },
    ],
  },
  {
    load: async () => [(await import('./report.ts')).registerReport],
    commands: [
      {
        name: 'report',
        term: 'report',
        description: 'Response metrics, target compliance and goals over a period (table, JSON or CSV)',
      },
    ],
  },
  {
    load: async () => [(await import('./exercise.ts')).registerExercise],
    commands: [
      {
        name: 'exercise',
        term: 'exercise',
        description:
          'Tabletop exercises and game days: drills against the live plan with real paging, marked exercise',
      },
    ],
  },
  {
    load: async () => [(await import('./service.ts')).registerService],
    commands: [
      { name: 'service', term: 'service', description: 'Services: what alerts belong to' },
      { name: 'integration', term: 'integration', description: 'Inbound integrations (keys senders use)' },
      { name: 'alert', term: 'alert', description: 'Alerts: list, inspect, acknowledge, resolve' },
    ],
  },
  {
    load: async () => [(await import('./detection.ts')).registerDetection],
    commands: [
      { name: 'change', term: 'change', description: 'Changes (deploys, config changes) of services' },
      { name: 'check', term: 'check', description: 'HTTP checks the engine runs' },
      {
        name: 'vendor',
        term: 'vendor',
        description: 'Vendor status pages (Statuspage v2) the engine watches',
      },
    ],
  },
  {
    load: async () => [(await import('./maintenance.ts')).registerMaintenance],
    commands: [
      {
        name: 'silence',
        term: 'silence',
        description: 'Silences: alerts they match are recorded, open no incident and page nobody',
      },
      {
        name: 'maintenance',
        term: 'maintenance',
        description: 'Maintenance windows: alerts they match are recorded, open no incident and page nobody',
      },
    ],
  },
  {
    load: async () => [(await import('./contact.ts')).registerContact],
    commands: [
      {
        name: 'contact',
        term: 'contact',
        description: 'Contact methods (email, sms, voice, push, slack) and the rules that page them',
      },
    ],
  },
  {
    load: async () => [(await import('./schedule.ts')).registerSchedule],
    commands: [
      {
        name: 'schedule',
        term: 'schedule',
        description: 'On-call schedules: layers, shifts, overrides (define them with `tocsin apply`)',
      },
      {
        name: 'oncall',
        term: 'oncall [options]',
        description: 'Who is on call now (or at --at), in every schedule or one',
      },
    ],
  },
  {
    load: async () => [(await import('./page.ts')).registerPage],
    commands: [
      {
        name: 'page',
        term: 'page [options] <target>',
        description:
          'Page now: user:<handle>, schedule:<name> (whoever is on call), team:<name> or policy:<name>',
      },
      {
        name: 'policy',
        term: 'policy',
        description: 'Escalation policies: who is paged, in order, until someone acknowledges',
      },
    ],
  },
  {
    load: async () => [(await import('./inbox.ts')).registerInbox],
    commands: [
      {
        name: 'inbox',
        term: 'inbox [options]',
        description: 'Your notifications in Tocsin (every page lands here as well as on your own channels)',
      },
    ],
  },
  {
    load: async () => [(await import('./status-page.ts')).registerStatusPage],
    commands: [
      {
        name: 'status-page',
        term: 'status-page',
        description: 'The public status page (/status): settings, components, maintenance',
      },
    ],
  },
  {
    load: async () => [(await import('./update.ts')).registerUpdate],
    commands: [
      {
        name: 'update',
        term: 'update',
        description: 'Review incident updates: list, approve, request changes, edit, publish',
      },
    ],
  },
  {
    load: async () => [(await import('./token.ts')).registerToken],
    commands: [
      { name: 'token', term: 'token', description: 'API tokens: list, create (shown once), revoke' },
    ],
  },
  {
    load: async () => {
      const [user, password] = await Promise.all([import('./user.ts'), import('./user-password.ts')]);
      // registerUserPassword joins the `user` group registerUser made.
      return [user.registerUser, password.registerUserPassword];
    },
    commands: [
      {
        name: 'user',
        term: 'user',
        description:
          'People: create, list, show, change role and details, deactivate, reactivate (admins change)',
      },
      {
        name: 'team',
        term: 'team',
        description: 'Teams: create, list, show, set a member’s role, remove, deactivate, reactivate',
      },
    ],
  },
  {
    load: async () => [(await import('./drill.ts')).registerDrill],
    commands: [
      {
        name: 'drill',
        term: 'drill [options] <plan>',
        description: 'Run a scripted incident through a plan on a virtual clock and report every target',
      },
    ],
  },
];

/** The command a line runs: its first operand (`help X` asks about X); undefined for none. */
export function commandOf(argv: readonly string[]): string | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/**
 * Registers what a command line needs: the one group that owns its command; with no command (the
 * program's own help or version), a help line per command and nothing loaded; with a command no
 * group here owns, every group (commander then says what is unknown, with suggestions).
 */
export async function registerCommandsFor(program: Command, argv: readonly string[]): Promise<void> {
  const name = commandOf(argv);
  const group = COMMAND_GROUPS.find((g) => g.commands.some((c) => c.name === name));
  if (group) {
    for (const register of await group.load()) register(program);
    return;
  }
  if (name !== undefined) {
    (await import('./commands.ts')).registerCommands(program);
    return;
  }
  registerHelpLines(program);
}

/** A placeholder command per help line, listed with the term its group would show. */
export function registerHelpLines(program: Command): void {
  const terms = new Map<string, string>();
  for (const line of COMMAND_GROUPS.flatMap((g) => g.commands)) {
    program.command(line.name).description(line.description);
    terms.set(line.name, line.term);
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
}
