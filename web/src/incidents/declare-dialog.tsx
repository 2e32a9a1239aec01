import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { declareIncidentSchema } from '../../../src/domain/incidents/inputs.ts';
import { answer, api } from '../api/client';
import type { Incident } from '../api/models';
import { useServices } from '../api/shared-queries';
import { checked } from '../api/validate';
import { Dialog } from '../ui/dialog';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { usePlan, usePlans } from './queries';
import { SeverityPicker } from './severity-picker';

interface DeclareBody {
  title: string;
  plan: string;
  severity?: string;
  type?: string;
  service?: string;
  customer_facing: boolean;
}

/** Declare an incident from anywhere (the `d` shortcut): title, plan, severity with its criteria. */
export function DeclareDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Declare an incident">
      {open && <DeclareForm onDone={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function DeclareForm({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const plans = usePlans();
  const services = useServices();
  const [title, setTitle] = useState('');
  const [planName, setPlanName] = useState('');
  const [severity, setSeverity] = useState('');
  const [service, setService] = useState('');
  const [type, setType] = useState('');
  const [customerFacing, setCustomerFacing] = useState(false);
  const chosenPlan = planName || plans.data?.[0]?.name || '';
  const plan = usePlan(chosenPlan || undefined);
  const severities = plan.data?.plan.severities ?? [];
  const types = plan.data?.plan.types ?? [];
  const declare = useMutation({
    mutationFn: (body: DeclareBody) =>
      answer<{ incident: Incident }>(
        api.POST('/api/v1/incidents', { body: checked(declareIncidentSchema, body) }),
      ).then((a) => a.incident),
    onSuccess: (incident) => {
      void client.invalidateQueries({ queryKey: ['incidents'] });
      onDone();
      navigate(`/incidents/${incident.id}`);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    declare.mutate({
      title,
      plan: chosenPlan,
      ...(severity ? { severity } : {}),
      ...(type ? { type } : {}),
      customer_facing: customerFacing,
      ...(service ? { service } : {}),
    });
  }
  return (
    <form className="stack" onSubmit={submit}>
      <Field label="Title" error={fieldError(declare.error, 'title')}>
        {(p) => (
          // biome-ignore lint/a11y/noAutofocus: the dialog opens to type the title at once
          <input {...p} autoFocus required value={title} onChange={(e) => setTitle(e.target.value)} />
        )}
      </Field>
      <Field label="Plan" error={fieldError(declare.error, 'plan')}>
        {(p) => (
          <select
            {...p}
            value={chosenPlan}
            onChange={(e) => {
              setPlanName(e.target.value);
              setSeverity('');
              setType('');
            }}
          >
            {(plans.data ?? []).map((pl) => (
              <option key={pl.name} value={pl.name}>
                {pl.title ? `${pl.title} (${pl.name})` : pl.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <SeverityPicker
        name="declare-severity"
        severities={severities}
        value={severity}
        onChange={setSeverity}
        error={fieldError(declare.error, 'severity')}
        required
        examples
      />
      {types.length > 0 && (
        <Field label="Type (optional)" error={fieldError(declare.error, 'type')}>
          {(p) => (
            <select {...p} value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">None</option>
              {types.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Service (optional)" error={fieldError(declare.error, 'service')}>
        {(p) => (
          <select {...p} value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">None</option>
            {(services.data ?? []).map((s) => (
              <option key={s.name}>{s.name}</option>
            ))}
          </select>
        )}
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={customerFacing}
          onChange={(e) => setCustomerFacing(e.target.checked)}
        />
        Customers are affected
      </label>
      <ErrorNote error={declare.error} shownFields={['title', 'plan', 'severity', 'service']} />
      <button type="submit" className="button primary" disabled={declare.isPending}>
        {declare.isPending ? 'Declaring…' : 'Declare'}
      </button>
    </form>
  );
}
