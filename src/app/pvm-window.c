/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-window.c: the main window, with its Machines, Images and Data pages.
 *
 * The window keeps its size, maximized state and visible page in the
 * PvmSettings it is constructed with. The visible page is also a stateful
 * action, win.visible-page, bound to Alt+1, Alt+2 and Alt+3.
 *
 * In a PvmApplication, the VMs the Machines page lists are watched by the
 * application's PvmJobMonitor, and the window shows a toast when one
 * powers off: its job's exit status and what was collected.
 */

#define G_LOG_DOMAIN "pvm-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"
#include "pvm-bundle-dialog.h"
#include "pvm-data-page.h"
#include "pvm-images-page.h"
#include "pvm-install-assistant.h"
#include "pvm-launch-dialog.h"
#include "pvm-machines-page.h"
#include "pvm-toasts.h"
#include "pvm-welcome-dialog.h"
#include "pvm-window.h"

struct _PvmWindow
{
  AdwApplicationWindow  parent_instance;

  /* Owned references */
  PvmSettings          *settings;
  char                 *last_toast;      /* the title of the toast shown last */
  GPtrArray            *listed_vms;      /* the Machines page's, as the Images page follows them */

  /* Binds PvmSettings:last-page to PvmWindow:visible-page; owned by the
   * two objects until g_binding_unbind() in dispose.
   */
  GBinding             *last_page_binding;

  /* Template widgets */
  AdwHeaderBar         *header_bar;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  AdwViewSwitcherBar   *switcher_bar;
  PvmMachinesPage      *machines_page;
  PvmImagesPage        *images_page;
  PvmDataPage          *data_page;
};

G_DEFINE_FINAL_TYPE (PvmWindow, pvm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_VISIBLE_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The pages in the order of the view switcher and of their Alt+N shortcut. */
static const char * const page_names[] = { "machines", "images", "data" };

/* --- the search ------------------------------------------------------ */

static PvmListPage *
get_visible_list_page (PvmWindow *self)
{
  GtkWidget *page;

  /* Gone with the template in dispose, when the entry may still empty. */
  if (self->view_stack == NULL)
    return NULL;
  page = adw_view_stack_get_visible_child (self->view_stack);

  return PVM_IS_LIST_PAGE (page) ? PVM_LIST_PAGE (page) : NULL;
}

/* The search bar searches the page shown (end_search () cleared the
 * others). */
static void
search_changed_cb (PvmWindow      *self,
                   GtkSearchEntry *entry)
{
  PvmListPage *page = get_visible_list_page (self);

  if (page != NULL)
    pvm_list_page_set_search (page, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmWindow *self = PVM_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* A space typed as the search bar opens (keys typed before the main
 * loop got to them) reaches the window unhandled, while the letters
 * around it are in the entry: GTK 4.8's entry takes what is typed before
 * its text has the focus through its key capture, which leaves spaces
 * out. Such a space goes to the entry too. */
static gboolean
search_space_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 PvmWindow             *self)
{
  GtkWidget *focus;

  if ((keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0 ||
      !gtk_search_bar_get_search_mode (self->search_bar))
    return GDK_EVENT_PROPAGATE;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->search_entry)))
    return GDK_EVENT_PROPAGATE;
  return gtk_event_controller_key_forward (controller, focus);
}

/* The search ended (Escape, another page): the keyboard goes back to the
 * page's list, not to whatever GTK finds next to the hidden entry (the
 * first row's menu or Delete button). */
static void
search_mode_cb (PvmWindow    *self,
                GParamSpec   *pspec,
                GtkSearchBar *bar)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  PvmListPage *page = get_visible_list_page (self);

  if (gtk_search_bar_get_search_mode (bar) || page == NULL)
    return;
  if (focus == NULL || focus == GTK_WIDGET (bar) ||
      gtk_widget_is_ancestor (focus, GTK_WIDGET (bar)))
    gtk_widget_grab_focus (GTK_WIDGET (page));
}

/* Another page: the search ends (as in Files, a search is of one place),
 * and the next one searches that page. */
static void
end_search (PvmWindow *self)
{
  static const struct { const char *page; const char *placeholder; } placeholders[] = {
    { "machines", N_("Search machines") },
    { "images", N_("Search images") },
    { "data", N_("Search archives") },
  };
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  /* The page left is no longer shown: no page stays filtered (a page
   * not searched ignores it). */
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    pvm_list_page_set_search (PVM_LIST_PAGE (adw_view_stack_get_child_by_name (self->view_stack,
                                                                               page_names[i])),
                              NULL);
  /* Closing the bar empties the entry. */
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (placeholders); i++)
    if (g_strcmp0 (name, placeholders[i].page) == 0)
      g_object_set (self->search_entry, "placeholder-text", _(placeholders[i].placeholder), NULL);
}

static void
pvm_window_notify_visible_child_name_cb (PvmWindow    *self,
                                         GParamSpec   *pspec,
                                         AdwViewStack *view_stack)
{
  g_assert (PVM_IS_WINDOW (self));
  g_assert (ADW_IS_VIEW_STACK (view_stack));

  end_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_PAGE]);
}

/* A VM powered off: what its job did, and a way to its output. */
static void
job_report_cb (PvmWindow          *self,
               const PvmJobReport *report,
               PvmJobMonitor      *monitor)
{
  g_autofree char *title = g_markup_escape_text (report->summary, -1);
  AdwToast *toast;

  /* The VM's panel says it powered off when the user stopped it. */
  if (report->end == PVM_JOB_END_ASKED && !report->collected && report->collect_error == NULL)
    return;

  toast = adw_toast_new (title);
  if (report->collect_error != NULL && report->domain != NULL)
    {
      /* Say, a full disk: once there is room. */
      adw_toast_set_button_label (toast, _("_Try Again"));
      adw_toast_set_action_name (toast, "app.collect-output");
      adw_toast_set_action_target_value (toast, g_variant_new_string (report->domain));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 0);
    }
  else if (report->output != NULL && g_file_test (report->output, G_FILE_TEST_IS_DIR))
    {
      adw_toast_set_button_label (toast, _("_Open Output"));
      adw_toast_set_action_name (toast, "app.open-output");
      adw_toast_set_action_target_value (toast, g_variant_new_string (report->output));
    }
  if (report->end == PVM_JOB_END_JOB)
    adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  pvm_window_add_toast (self, toast);
}

/* The Images page says which VM boots each image, and in which state. */
static void
vms_changed_cb (PvmWindow *self)
{
  pvm_list_page_refresh_soon (PVM_LIST_PAGE (self->images_page));
}

static void
unfollow_vms (PvmWindow *self)
{
  for (guint i = 0; self->listed_vms != NULL && i < self->listed_vms->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->listed_vms, i),
                                          vms_changed_cb, self);
  g_clear_pointer (&self->listed_vms, g_ptr_array_unref);
}

/* The Machines page listed the VMs: the application watches them, and
 * the Images page follows them (not at the first list: it has just read
 * them itself). */
static void
machines_loaded_cb (PvmWindow   *self,
                    PvmListPage *page)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GPtrArray *vms = pvm_list_page_get_items (page);

  if (PVM_IS_APPLICATION (application) && vms != NULL)
    pvm_job_monitor_watch (pvm_application_get_job_monitor (PVM_APPLICATION (application)), vms);

  if (vms == NULL || vms == self->listed_vms)
    return;
  if (self->listed_vms != NULL)
    vms_changed_cb (self);
  unfollow_vms (self);
  self->listed_vms = g_ptr_array_ref (vms);
  for (guint i = 0; i < vms->len; i++)
    g_signal_connect_object (g_ptr_array_index (vms, i), "notify::state",
                             G_CALLBACK (vms_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
notify_application_cb (PvmWindow  *self,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!PVM_IS_APPLICATION (application))
    return;
  g_signal_connect_object (pvm_application_get_job_monitor (PVM_APPLICATION (application)),
                           "report", G_CALLBACK (job_report_cb), self, G_CONNECT_SWAPPED);
  /* A load may have ended already. */
  if (g_strcmp0 (pvm_list_page_get_shown (PVM_LIST_PAGE (self->machines_page)), "loading") != 0)
    machines_loaded_cb (self, PVM_LIST_PAGE (self->machines_page));
}

static void
launched_cb (PvmWindow       *self,
             guint            n_vms,
             PvmLaunchDialog *dialog)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "machines");
  pvm_list_page_reload (PVM_LIST_PAGE (self->machines_page));
}

static void
launch_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmWindow *self = PVM_WINDOW (widget);
  PvmLaunchDialog *dialog = pvm_launch_dialog_new ();

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "launched", G_CALLBACK (launched_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A VM saved to a file runs again: the Machines page shows it. */
static void
restored_cb (PvmWindow       *self,
             PvmVm           *vm,
             const char      *message,
             PvmBundleDialog *dialog)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "machines");
  pvm_list_page_reload (PVM_LIST_PAGE (self->machines_page));
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PvmWindow *self = PVM_WINDOW (widget);
  PvmBundleDialog *dialog = pvm_bundle_dialog_new_restore ();

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "restored", G_CALLBACK (restored_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The set-up dialog saved the configuration or made an image. */
static void
welcome_changed_cb (PvmWindow        *self,
                    PvmWelcomeDialog *dialog)
{
  pvm_list_page_reload (PVM_LIST_PAGE (self->images_page));
  pvm_list_page_reload (PVM_LIST_PAGE (self->data_page));
}

static void
welcome_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PvmWindow *self = PVM_WINDOW (widget);
  PvmWelcomeDialog *dialog = pvm_welcome_dialog_new ();

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "changed", G_CALLBACK (welcome_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The New VM assistant made or removed an image or a VM. */
static void
new_vm_changed_cb (PvmWindow           *self,
                   PvmInstallAssistant *assistant)
{
  pvm_list_page_reload (PVM_LIST_PAGE (self->images_page));
  pvm_list_page_reload (PVM_LIST_PAGE (self->machines_page));
}

static void
new_vm_launch_dialog_cb (PvmWindow           *self,
                         PvmLaunchDialog     *dialog,
                         PvmInstallAssistant *assistant)
{
  g_signal_connect_object (dialog, "launched", G_CALLBACK (launched_cb), self, G_CONNECT_SWAPPED);
}

static void
new_vm_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmWindow *self = PVM_WINDOW (widget);
  PvmInstallAssistant *assistant = pvm_install_assistant_new ();

  gtk_window_set_transient_for (GTK_WINDOW (assistant), GTK_WINDOW (self));
  g_signal_connect_object (assistant, "changed", G_CALLBACK (new_vm_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (assistant, "launch-dialog", G_CALLBACK (new_vm_launch_dialog_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

static void
pvm_window_save_size (PvmWindow *self)
{
  gboolean maximized;
  int width;
  int height;

  g_assert (PVM_IS_WINDOW (self));

  maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  /* The size of a maximized window is the screen's: keep the last
   * unmaximized one so that unmaximizing at the next start looks right.
   */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          pvm_settings_set_window_width (self->settings, width);
          pvm_settings_set_window_height (self->settings, height);
        }
    }

  pvm_settings_set_window_maximized (self->settings, maximized);
}

static gboolean
pvm_window_close_request (GtkWindow *window)
{
  PvmWindow *self = (PvmWindow *)window;

  g_assert (PVM_IS_WINDOW (self));

  pvm_window_save_size (self);

  return GTK_WINDOW_CLASS (pvm_window_parent_class)->close_request (window);
}

static void
pvm_window_constructed (GObject *object)
{
  PvmWindow *self = (PvmWindow *)object;

  G_OBJECT_CLASS (pvm_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = pvm_settings_new ();

  gtk_window_set_default_size (GTK_WINDOW (self),
                               pvm_settings_get_window_width (self->settings),
                               pvm_settings_get_window_height (self->settings));
  if (pvm_settings_get_window_maximized (self->settings))
    gtk_window_maximize (GTK_WINDOW (self));

  self->last_page_binding =
    g_object_bind_property (self->settings, "last-page",
                            self, "visible-page",
                            G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
}

static void
pvm_window_dispose (GObject *object)
{
  PvmWindow *self = (PvmWindow *)object;

  /* Nothing the teardown of the pages does may reach the settings: the
   * page shown last is the one the user left.
   */
  g_clear_pointer (&self->last_page_binding, g_binding_unbind);
  if (self->view_stack != NULL)
    g_signal_handlers_disconnect_by_func (self->view_stack,
                                          pvm_window_notify_visible_child_name_cb,
                                          self);

  gtk_widget_dispose_template (GTK_WIDGET (self), PVM_TYPE_WINDOW);

  g_clear_object (&self->settings);
  unfollow_vms (self);

  G_OBJECT_CLASS (pvm_window_parent_class)->dispose (object);
}

static void
pvm_window_finalize (GObject *object)
{
  PvmWindow *self = (PvmWindow *)object;

  g_free (self->last_toast);

  G_OBJECT_CLASS (pvm_window_parent_class)->finalize (object);
}

static void
pvm_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PvmWindow *self = PVM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_VISIBLE_PAGE:
      g_value_set_string (value, pvm_window_get_visible_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PvmWindow *self = PVM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_VISIBLE_PAGE:
      pvm_window_set_visible_page (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_window_class_init (PvmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pvm_window_constructed;
  object_class->dispose = pvm_window_dispose;
  object_class->finalize = pvm_window_finalize;
  object_class->get_property = pvm_window_get_property;
  object_class->set_property = pvm_window_set_property;

  window_class->close_request = pvm_window_close_request;

  /**
   * PvmWindow:settings:
   *
   * The UI preferences the window restores its state from and saves it to.
   * When none is given, the window uses the default GSettings backend.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         PVM_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * PvmWindow:visible-page:
   *
   * The name of the page shown: "machines", "images" or "data".
   */
  properties[PROP_VISIBLE_PAGE] =
    g_param_spec_string ("visible-page", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PVM_TYPE_MACHINES_PAGE);
  g_type_ensure (PVM_TYPE_IMAGES_PAGE);
  g_type_ensure (PVM_TYPE_DATA_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pvm/Pvm/ui/pvm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, machines_page);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, images_page);
  gtk_widget_class_bind_template_child (widget_class, PvmWindow, data_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);

  gtk_widget_class_install_property_action (widget_class, "win.visible-page", "visible-page");
  gtk_widget_class_install_action (widget_class, "win.launch", NULL, launch_action);
  gtk_widget_class_install_action (widget_class, "win.welcome", NULL, welcome_action);
  gtk_widget_class_install_action (widget_class, "win.new-vm", NULL, new_vm_action);
  gtk_widget_class_install_action (widget_class, "win.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.launch",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.visible-page", "s", page_names[i]);
}

static void
pvm_window_init (PvmWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Typing on a page starts a search of it, as in GNOME Boxes. */
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (search_space_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (search_mode_cb), self, G_CONNECT_SWAPPED);
  end_search (self);

  g_signal_connect_object (self->view_stack,
                           "notify::visible-child-name",
                           G_CALLBACK (pvm_window_notify_visible_child_name_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->machines_page, "loaded", G_CALLBACK (machines_loaded_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (notify_application_cb), NULL);
}

/**
 * pvm_window_new:
 * @application: (nullable): the application the window belongs to
 * @settings: (nullable): the UI preferences, or %NULL for the default ones
 *
 * Creates the main window.
 *
 * Returns: (transfer full): a new #PvmWindow
 */
PvmWindow *
pvm_window_new (GtkApplication *application,
                PvmSettings    *settings)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (!settings || PVM_IS_SETTINGS (settings), NULL);

  return g_object_new (PVM_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

/**
 * pvm_window_get_settings:
 * @self: a #PvmWindow
 *
 * Returns: (transfer none): the UI preferences of the window
 */
PvmSettings *
pvm_window_get_settings (PvmWindow *self)
{
  g_return_val_if_fail (PVM_IS_WINDOW (self), NULL);

  return self->settings;
}

/**
 * pvm_window_get_visible_page:
 * @self: a #PvmWindow
 *
 * Returns: (transfer none) (nullable): the name of the page shown
 */
const char *
pvm_window_get_visible_page (PvmWindow *self)
{
  g_return_val_if_fail (PVM_IS_WINDOW (self), NULL);

  if (self->view_stack == NULL)
    return NULL;

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

/**
 * pvm_window_set_visible_page:
 * @self: a #PvmWindow
 * @visible_page: the name of a page: "machines", "images" or "data"
 *
 * Shows the page named @visible_page.
 */
void
pvm_window_set_visible_page (PvmWindow  *self,
                             const char *visible_page)
{
  g_return_if_fail (PVM_IS_WINDOW (self));
  g_return_if_fail (visible_page != NULL);
  g_return_if_fail (self->view_stack != NULL);
  g_return_if_fail (adw_view_stack_get_child_by_name (self->view_stack, visible_page) != NULL);

  /* The stack notifies, and so does the window through
   * pvm_window_notify_visible_child_name_cb().
   */
  adw_view_stack_set_visible_child_name (self->view_stack, visible_page);
}

/**
 * pvm_window_reload:
 * @self: a #PvmWindow
 *
 * Reads every page's list again: the configuration changed.
 */
void
pvm_window_reload (PvmWindow *self)
{
  g_return_if_fail (PVM_IS_WINDOW (self));

  pvm_list_page_reload (PVM_LIST_PAGE (self->machines_page));
  pvm_list_page_reload (PVM_LIST_PAGE (self->images_page));
  pvm_list_page_reload (PVM_LIST_PAGE (self->data_page));
}

/**
 * pvm_window_add_toast:
 * @self: a #PvmWindow
 * @toast: (transfer full): a toast
 *
 * Shows @toast over the pages, whichever is visible.
 */
void
pvm_window_add_toast (PvmWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (PVM_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  g_free (self->last_toast);
  self->last_toast = g_strdup (adw_toast_get_title (toast));
  pvm_toasts_add (self->toast_overlay, toast);
}

/**
 * pvm_window_show_toast:
 * @self: a #PvmWindow
 * @text: what happened, as it is (it is escaped here)
 *
 * Shows a toast with @text over the pages.
 */
void
pvm_window_show_toast (PvmWindow  *self,
                       const char *text)
{
  g_autofree char *title = NULL;

  g_return_if_fail (PVM_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  title = g_markup_escape_text (text, -1);
  pvm_window_add_toast (self, adw_toast_new (title));
}

/**
 * pvm_window_get_last_toast:
 * @self: a #PvmWindow
 *
 * Returns: (nullable): the title of the toast the window showed last, as
 *   markup, or %NULL
 */
const char *
pvm_window_get_last_toast (PvmWindow *self)
{
  g_return_val_if_fail (PVM_IS_WINDOW (self), NULL);

  return self->last_toast;
}
