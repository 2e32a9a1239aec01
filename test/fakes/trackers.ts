import { type FakeRequest, HttpFake } from './http-fake.ts';

// Loopback GitHub and Jira speaking the two REST calls Tocsin makes, as the real APIs do:
// - GitHub `POST /repos/{owner}/{repo}/issues` (https://docs.github.com/rest/issues/issues#create-an-issue)
//   with `Authorization: Bearer <token>`: 201 with the issue ({number, html_url, url, title, body, state});
//   401 {message: "Bad credentials"} for another token, 404 {message: "Not Found"} for another repo,
//   422 {message: "Validation Failed", errors} without a title.
// - Jira `POST /rest/api/3/issue` (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post)
//   with basic auth email:token and fields {project: {key}, issuetype: {name}, summary, description (ADF)}:
//   201 {id, key, self}; 401 for bad credentials, 400 {errorMessages, errors} for bad fields.
// Each created issue is recorded with the request, for tests to check.

export interface CreatedIssue {
  request: FakeRequest;
  body: Record<string, unknown>;
  url: string;
}

export class FakeGitHub {
  readonly issues: CreatedIssue[] = [];
  readonly requests: FakeRequest[] = [];
  private constructor(readonly http: HttpFake) {}
  get url() {
    return this.http.url;
  }

  static async start(o: { repo: string; token: string }): Promise<FakeGitHub> {
    let fake: FakeGitHub | undefined;
    const http = await HttpFake.start((request) => {
      fake?.requests.push(request);
      if (request.headers.authorization !== `Bearer ${o.token}`) {
        return {
          status: 401,
          body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
        };
      }
      if (request.method !== 'POST' || request.url !== `/repos/${o.repo}/issues`) {
        return {
          status: 404,
          body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
        };
      }
      const body = JSON.parse(request.body) as Record<string, unknown>;
      if (typeof body.title !== 'string' || body.title === '') {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
          },
        };
      }
      const number = (fake?.issues.length ?? 0) + 1;
      const html = `https://github.com/${o.repo}/issues/${number}`;
      fake?.issues.push({ request, body, url: html });
      return {
        status: 201,
        body: {
          id: 1000 + number,
          number,
          url: `https://api.github.com/repos/${o.repo}/issues/${number}`,
          html_url: html,
          title: body.title,
          body: body.body ?? null,
          state: 'open',
        },
      };
    });
    fake = new FakeGitHub(http);
    return fake;
  }

  close() {
    return this.http.close();
  }
}

export class FakeJira {
  readonly issues: CreatedIssue[] = [];
  private constructor(readonly http: HttpFake) {}
  get url() {
    return this.http.url;
  }

  static async start(o: { email: string; token: string; project: string }): Promise<FakeJira> {
    let fake: FakeJira | undefined;
    const basic = `Basic ${Buffer.from(`${o.email}:${o.token}`).toString('base64')}`;
    const http = await HttpFake.start((request) => {
      if (request.headers.authorization !== basic) {
        return { status: 401, body: { errorMessages: ['You are not authenticated.'], errors: {} } };
      }
      if (request.method !== 'POST' || request.url !== '/rest/api/3/issue') {
        return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
      }
      const body = JSON.parse(request.body) as { fields?: Record<string, unknown> };
      const fields = body.fields ?? {};
      const project = fields.project as { key?: string } | undefined;
      const description = fields.description as { type?: string; version?: number } | undefined;
      const errors: Record<string, string> = {};
      if (project?.key !== o.project) errors.project = 'valid project is required';
      if (typeof fields.summary !== 'string' || fields.summary === '')
        errors.summary = 'You must specify a summary of the issue.';
      if (!(fields.issuetype as { name?: string } | undefined)?.name)
        errors.issuetype = 'valid issue type is required';
      if (description && (description.type !== 'doc' || description.version !== 1)) {
        errors.description = 'Operation value must be an Atlassian Document';
      }
      if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
      const n = (fake?.issues.length ?? 0) + 1;
      const key = `${o.project}-${n}`;
      fake?.issues.push({ request, body: body as Record<string, unknown>, url: key });
      return {
        status: 201,
        body: { id: String(10_000 + n), key, self: `${fake?.url}/rest/api/3/issue/${10_000 + n}` },
      };
    });
    fake = new FakeJira(http);
    return fake;
  }

  close() {
    return this.http.close();
  }
}
